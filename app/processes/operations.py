"""Process management (facilitators): save a process with its list of phases, move it through its lifecycle.

Phases are a list: each has a name in French and English, dates, an optional kind (what the app does during it)
and descriptions. They are kept in the order of their dates (``position`` 1, 2, …). Every refusal names the phase
(its place in the list, as typed) and the field in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from app.compliance import audit
from app.core.errors import DomainError, Reason
from app.core.extensions import db
from app.models import Phase, PhaseKind, Process, ProcessStatus, Territory, User

TEXT_FIELDS = ("slug", "title_fr", "title_en", "purpose_fr", "purpose_en")
FIELD_WORDS = {
    "name_fr": _l("name (French)"),
    "name_en": _l("name (English)"),
    "starts_on": _l("start date"),
    "ends_on": _l("end date"),
}


class ProcessError(DomainError):
    """A refused change to a process; ``problems`` lists every (field, message), a phase's field as
    ``phases-<index>-<name>``."""

    def __init__(self, problems: list[Reason]) -> None:
        super().__init__(problems[0][1], problems[0][0])
        self.problems = problems

    def reasons(self) -> list[Reason]:
        return self.problems


@dataclass(frozen=True)
class PhaseInput:
    """One row of the phase list as typed (``index``: its place in the form, 0-based)."""

    index: int
    name_fr: str = ""
    name_en: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    kind: str = ""
    description_fr: str = ""
    description_en: str = ""
    remove: bool = False

    @property
    def is_empty(self) -> bool:
        return not any((self.name_fr, self.name_en, self.starts_on, self.ends_on, self.description_fr))


def phase_problem(index: int, field: str, message) -> Reason:
    """A problem of the phase in row ``index``, worded "Phase 2, end date: …"."""
    words = _l("Phase %(number)d, %(field)s: %(message)s", number=index + 1, field=FIELD_WORDS[field], message=message)
    return (f"phases-{index}-{field}", words)


def check_phases(rows: list[PhaseInput]) -> tuple[list[PhaseInput], list[Reason]]:
    """The rows that are phases (not empty, not removed), and every problem among them."""
    kept, problems = [], []
    for row in rows:
        if row.remove or row.is_empty:
            continue
        kept.append(row)
        if not row.name_fr.strip():
            problems.append(phase_problem(row.index, "name_fr", _l("Give the name of the phase in French.")))
        if not row.name_en.strip():
            problems.append(phase_problem(row.index, "name_en", _l("Give the name of the phase in English.")))
        if row.starts_on is None:
            problems.append(phase_problem(row.index, "starts_on", _l("Give the start date of the phase.")))
        if row.ends_on is None:
            problems.append(phase_problem(row.index, "ends_on", _l("Give the end date of the phase.")))
        if row.starts_on and row.ends_on and row.ends_on < row.starts_on:
            problems.append(
                phase_problem(row.index, "ends_on", _l("The end date must not come before the start date."))
            )
        if row.kind and row.kind not in {k.value for k in PhaseKind}:
            problems.append((f"phases-{row.index}-kind", _l("Choose what happens in the phase from the list.")))
    return kept, problems


def save_process(
    actor: User, process: Process, *, fields: dict, territories: list[Territory], phases: list[PhaseInput]
) -> None:
    """Save the process and replace its phases by the list typed; raises :class:`ProcessError` (nothing saved)."""
    kept, problems = check_phases(phases)
    slug_taken = db.session.execute(
        db.select(Process.id).where(Process.slug == fields["slug"], Process.id != process.id)
        if process.id is not None
        else db.select(Process.id).where(Process.slug == fields["slug"])
    ).first()
    if slug_taken is not None:
        problems.insert(0, ("slug", _l("Another process already uses this address.")))
    if problems:
        raise ProcessError(problems)
    for key, value in fields.items():
        setattr(process, key, value)
    process.territories = territories
    existing = list(process.phases)
    ordered = sorted(kept, key=lambda row: (row.starts_on, row.ends_on, row.index))
    for position, row in enumerate(ordered, start=1):
        phase = existing.pop(0) if existing else Phase()
        phase.position, phase.name_fr, phase.name_en = position, row.name_fr.strip(), row.name_en.strip()
        phase.starts_on, phase.ends_on = row.starts_on, row.ends_on
        phase.kind = PhaseKind(row.kind) if row.kind else None
        phase.description_fr, phase.description_en = row.description_fr, row.description_en
        if phase not in process.phases:
            process.phases.append(phase)
    for phase in existing:
        process.phases.remove(phase)
    db.session.add(process)
    db.session.flush()
    audit.record(actor, "process.save", process, slug=process.slug, phases=len(ordered))


def change_process_status(actor: User, process: Process, status: ProcessStatus) -> None:
    old = process.status
    process.move_to(status)
    audit.record(actor, "process.change_status", process, old=old.value, new=status.value)
