"""Draft strategic orientations: creation from a theme, a suggested group or a selection of items; evidence and its
summary (SQL); transitions; revisions and their differences; merge and split (which never delete an item or an
evidence link); traceability both ways."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.compliance import audit
from app.core.extensions import db
from app.models import (
    IllegalTransition,
    ItemState,
    ModerationItem,
    Orientation,
    OrientationEvidence,
    OrientationRevision,
    OrientationState,
    Process,
    Territory,
    Theme,
    User,
    item_themes,
    utcnow,
)
from app.models.moderation import ORIENTATION_TEXT_FIELDS
from app.moderation.decisions import DecisionError
from app.orientations.suggestions import approved_ids


@dataclass
class EvidenceSummary:
    items: int = 0
    territories: int = 0
    groups: int = 0
    sources: int = 0
    by_territory: list[tuple[str | None, int]] = field(default_factory=list)
    by_group: list[tuple[str | None, int]] = field(default_factory=list)


def _revise(orientation: Orientation, actor: User | None, note: str = "") -> OrientationRevision:
    number = (
        db.session.scalar(
            sa.select(sa.func.max(OrientationRevision.number)).where(
                OrientationRevision.orientation_id == orientation.id
            )
        )
        or 0
    ) + 1
    revision = OrientationRevision(
        orientation_id=orientation.id, number=number, author=actor, note=note[:300], snapshot=orientation.snapshot()
    )
    db.session.add(revision)
    orientation.updated_at = utcnow()
    db.session.flush()
    return revision


def add_evidence(orientation: Orientation, item_ids: Iterable[int], *, quotes: Iterable[int] = ()) -> int:
    """Link approved items of the orientation's process; returns how many new links."""
    wanted = approved_ids(orientation.process_id, item_ids)
    present = set(
        db.session.scalars(
            sa.select(OrientationEvidence.item_id).where(OrientationEvidence.orientation_id == orientation.id)
        )
    )
    quotes = set(quotes)
    new = [i for i in wanted if i not in present]
    if new:
        db.session.execute(
            sa.insert(OrientationEvidence),
            [
                {"orientation_id": orientation.id, "item_id": i, "chosen_as_quote": i in quotes, "added_at": utcnow()}
                for i in new
            ],
        )
    db.session.flush()
    return len(new)


def create_orientation(
    process: Process,
    actor: User,
    *,
    title_fr: str,
    title_en: str = "",
    statement_fr: str = "",
    statement_en: str = "",
    rationale_fr: str = "",
    rationale_en: str = "",
    item_ids: Iterable[int] = (),
    note: str = "",
) -> Orientation:
    if not title_fr.strip():
        raise DecisionError(_l("Give the orientation a French title."))
    orientation = Orientation(
        process=process,
        title_fr=title_fr.strip(),
        title_en=title_en.strip(),
        statement_fr=statement_fr,
        statement_en=statement_en,
        rationale_fr=rationale_fr,
        rationale_en=rationale_en,
        created_by=actor,
    )
    db.session.add(orientation)
    db.session.flush()
    added = add_evidence(orientation, item_ids)
    _revise(orientation, actor, note)
    audit.record(actor, "orientation.create", orientation, evidence=added)
    return orientation


@dataclass
class EvidenceCandidates:
    """The items a facilitator picked to draft an orientation from, sorted by what saving would do with them:
    ``ready`` (approved), ``to_approve`` (pending, nothing left to redact: approved when the orientation is saved)
    and ``refused`` (with the reason, shown next to the item)."""

    ready: list[ModerationItem] = field(default_factory=list)
    to_approve: list[ModerationItem] = field(default_factory=list)
    refused: list[tuple[ModerationItem, str]] = field(default_factory=list)

    @property
    def usable(self) -> list[ModerationItem]:
        return sorted(self.ready + self.to_approve, key=lambda item: item.id)

    def carried_title(self) -> str:
        """The title of the first partner contribution among the usable items (as partners will read it)."""
        for item in self.usable:
            if item.contribution is not None:
                shown = item.redacted_text if item.redacted_text is not None else item.text
                return shown.split("\n\n", 1)[0].strip()[:300]
        return ""


def evidence_candidates(process_id: int, item_ids: Iterable[int]) -> EvidenceCandidates:
    ids = {int(i) for i in item_ids}
    candidates = EvidenceCandidates()
    if not ids:
        return candidates
    picked = db.session.scalars(
        sa.select(ModerationItem)
        .where(ModerationItem.id.in_(ids), ModerationItem.process_id == process_id)
        .order_by(ModerationItem.id)
    )
    for item in picked:
        if item.state is ItemState.APPROVED:
            candidates.ready.append(item)
        elif item.state is ItemState.REJECTED:
            candidates.refused.append((item, str(_l("a rejected item cannot be evidence."))))
        elif item.pii_spans and item.redacted_text is None:
            candidates.refused.append(
                (item, str(_l("personal information was detected; redact it first, then come back here.")))
            )
        else:
            candidates.to_approve.append(item)
    return candidates


def create_from_items(process: Process, actor: User, item_ids: Iterable[int], **texts: str) -> Orientation:
    """A new orientation whose evidence is the usable picked items: the pending ones (nothing left to redact) are
    approved first, with their redaction, in the same transaction."""
    from app.moderation import decisions

    candidates = evidence_candidates(process.id, item_ids)
    if not texts.get("title_fr", "").strip():
        raise DecisionError(_l("Give the orientation a French title."), "title_fr")
    for item in candidates.to_approve:
        decisions.approve(item, actor, item.version)
    return create_orientation(process, actor, item_ids=[item.id for item in candidates.usable], **texts)


def theme_item_ids(theme: Theme) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(item_themes.c.item_id)
            .join(ModerationItem, ModerationItem.id == item_themes.c.item_id)
            .where(item_themes.c.theme_id == theme.id, ModerationItem.state == ItemState.APPROVED)
        )
    )


def update_orientation(orientation: Orientation, actor: User, note: str = "", **fields: str) -> bool:
    """Edit the texts; a new revision when anything changed. Returns whether it changed."""
    if "title_fr" in fields and not (fields["title_fr"] or "").strip():
        raise DecisionError(_l("Give the orientation a French title."))
    changed = False
    for key in ORIENTATION_TEXT_FIELDS:
        if key in fields and fields[key] is not None and fields[key] != getattr(orientation, key):
            setattr(orientation, key, fields[key])
            changed = True
    if changed:
        revision = _revise(orientation, actor, note)
        audit.record(actor, "orientation.edit", orientation, revision=revision.number)
    return changed


def move(orientation: Orientation, actor: User, target: OrientationState) -> None:
    previous = orientation.state
    try:
        orientation.move_to(OrientationState(target))
    except IllegalTransition as error:
        raise DecisionError(_l("This change of state is not possible now.")) from error
    audit.record(actor, "orientation.state", orientation, previous=previous.value, state=orientation.state.value)
    db.session.flush()


def set_quote(orientation: Orientation, item_id: int, chosen: bool, actor: User) -> None:
    db.session.execute(
        sa.update(OrientationEvidence)
        .where(OrientationEvidence.orientation_id == orientation.id, OrientationEvidence.item_id == item_id)
        .values(chosen_as_quote=chosen)
    )
    audit.record(actor, "orientation.quote", orientation, item=item_id, chosen=chosen)
    db.session.flush()


def merge(target: Orientation, other: Orientation, actor: User) -> None:
    """Unite ``other``'s evidence into ``target``; ``other`` is set aside with a pointer, its links and history
    kept."""
    if target.id == other.id or target.process_id != other.process_id:
        raise DecisionError(_l("Choose another orientation of the same process."))
    if target.state in (OrientationState.SET_ASIDE, OrientationState.ADOPTED) or other.state in (
        OrientationState.SET_ASIDE,
        OrientationState.ADOPTED,
    ):
        raise DecisionError(_l("Adopted or set-aside orientations cannot be merged."))
    links = db.session.execute(
        sa.select(OrientationEvidence.item_id, OrientationEvidence.chosen_as_quote).where(
            OrientationEvidence.orientation_id == other.id
        )
    ).all()
    present = dict(
        db.session.execute(
            sa.select(OrientationEvidence.item_id, OrientationEvidence.chosen_as_quote).where(
                OrientationEvidence.orientation_id == target.id
            )
        ).all()
    )
    new = [
        {"orientation_id": target.id, "item_id": i, "chosen_as_quote": q, "added_at": utcnow()}
        for i, q in links
        if i not in present
    ]
    if new:
        db.session.execute(sa.insert(OrientationEvidence), new)
    other.move_to(OrientationState.SET_ASIDE)
    other.merged_into = target
    _revise(target, actor, f"merge #{other.id}")
    audit.record(actor, "orientation.merge", target, merged=other.id, evidence_added=len(new))
    db.session.flush()


DRAFT_QUOTES = 5  # quotes of the moved evidence in a drafted statement


def drafted_statement(item_ids: Iterable[int]) -> str:
    """A first statement for a new orientation, from the words people wrote (approved, redacted texts only): the
    facilitator rewrites it before publishing."""
    texts = db.session.scalars(
        sa.select(ModerationItem.redacted_text)
        .where(
            ModerationItem.id.in_(list(item_ids)),
            ModerationItem.state == ItemState.APPROVED,
            ModerationItem.redacted_text.is_not(None),
        )
        .order_by(ModerationItem.id)
        .limit(DRAFT_QUOTES)
    ).all()
    return "\n".join(f"« {' '.join(text.split())} »" for text in texts)


def split(
    orientation: Orientation,
    actor: User,
    selected_ids: Iterable[int],
    *,
    title_fr: str,
    title_en: str = "",
    statement_fr: str = "",
    statement_en: str = "",
) -> tuple[Orientation, Orientation]:
    """Divide the evidence: a new orientation with the selected items, under its own title and statement (drafted
    from the moved evidence when none is given), a draft that partners do not see until it is published; and a copy
    of this one with the rest, keeping its texts and its state, so that what partners and the public read does not
    change. The original is set aside with its links and history intact, each part pointing back to it."""
    evidence = list(
        db.session.scalars(
            sa.select(OrientationEvidence.item_id).where(OrientationEvidence.orientation_id == orientation.id)
        )
    )
    chosen = [i for i in evidence if i in {int(s) for s in selected_ids}]
    rest = [i for i in evidence if i not in chosen]
    if not chosen or not rest:
        raise DecisionError(_l("Select some of the evidence items, but not all of them."))
    if orientation.state in (OrientationState.SET_ASIDE, OrientationState.ADOPTED):
        raise DecisionError(_l("Adopted or set-aside orientations cannot be split."))
    if not title_fr.strip():
        raise DecisionError(_l("Give the orientation a French title."), "title_fr")
    quotes = set(
        db.session.scalars(
            sa.select(OrientationEvidence.item_id).where(
                OrientationEvidence.orientation_id == orientation.id, OrientationEvidence.chosen_as_quote
            )
        )
    )
    new_texts = dict.fromkeys(ORIENTATION_TEXT_FIELDS, "") | {
        "title_fr": title_fr.strip(),
        "title_en": title_en.strip(),
        "statement_fr": statement_fr.strip() or drafted_statement(chosen),
        "statement_en": statement_en.strip(),
    }
    parts = []
    for ids, fields, state in (
        (rest, orientation.snapshot(), orientation.state),
        (chosen, new_texts, OrientationState.DRAFT),
    ):
        part = Orientation(
            process_id=orientation.process_id, created_by=actor, split_from=orientation, state=state, **fields
        )
        db.session.add(part)
        db.session.flush()
        add_evidence(part, ids, quotes=quotes)
        _revise(part, actor, f"split #{orientation.id}")
        parts.append(part)
    orientation.move_to(OrientationState.SET_ASIDE)
    audit.record(actor, "orientation.split", orientation, into=[p.id for p in parts], selected=chosen)
    db.session.flush()
    return parts[0], parts[1]


def evidence_summary(orientation_id: int, *, public: bool = False) -> EvidenceSummary:
    """Counts computed in SQL. ``public`` counts only approved items (what partners and the public page show)."""
    conditions = [OrientationEvidence.orientation_id == orientation_id]
    if public:
        conditions.append(ModerationItem.state == ItemState.APPROVED)
    base = (
        sa.select()
        .select_from(OrientationEvidence)
        .join(ModerationItem, ModerationItem.id == OrientationEvidence.item_id)
        .where(*conditions)
    )
    row = db.session.execute(
        base.add_columns(
            sa.func.count(ModerationItem.id),
            sa.func.count(sa.distinct(ModerationItem.territory_id)),
            sa.func.count(sa.distinct(ModerationItem.respondent_group)),
            sa.func.count(sa.distinct(ModerationItem.response_id)),
            sa.func.count(sa.distinct(ModerationItem.author_id)),
        )
    ).one()
    summary = EvidenceSummary(items=row[0], territories=row[1], groups=row[2], sources=row[3] + row[4])
    summary.by_territory = [
        (name, count)
        for name, count in db.session.execute(
            base.add_columns(Territory.name, sa.func.count(ModerationItem.id))
            .outerjoin(Territory, Territory.id == ModerationItem.territory_id)
            .group_by(Territory.name)
            .order_by(Territory.name)
        )
    ]
    summary.by_group = [
        (group, count)
        for group, count in db.session.execute(
            base.add_columns(ModerationItem.respondent_group, sa.func.count(ModerationItem.id))
            .group_by(ModerationItem.respondent_group)
            .order_by(ModerationItem.respondent_group)
        )
    ]
    return summary


def evidence(orientation_id: int, *, public: bool = False, quotes_only: bool = False, limit: int | None = None):
    """(item, chosen_as_quote) pairs. ``public``: approved items only (their ``public_text`` is what to show)."""
    query = (
        sa.select(ModerationItem, OrientationEvidence.chosen_as_quote)
        .join(OrientationEvidence, OrientationEvidence.item_id == ModerationItem.id)
        .where(OrientationEvidence.orientation_id == orientation_id)
        .order_by(OrientationEvidence.chosen_as_quote.desc(), ModerationItem.id)
    )
    if public:
        query = query.where(ModerationItem.state == ItemState.APPROVED, ModerationItem.redacted_text.is_not(None))
    if quotes_only:
        query = query.where(OrientationEvidence.chosen_as_quote)
    if limit is not None:
        query = query.limit(limit)
    return db.session.execute(query).all()


def orientations_using(item_id: int) -> list[Orientation]:
    return list(
        db.session.scalars(
            sa.select(Orientation)
            .join(OrientationEvidence, OrientationEvidence.orientation_id == Orientation.id)
            .where(OrientationEvidence.item_id == item_id)
            .order_by(Orientation.id)
        )
    )


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def diff(old: OrientationRevision, new: OrientationRevision) -> list[tuple[str, list[DiffLine]]]:
    """Per field, the line differences (word-wrapped texts compared line by line)."""
    result = []
    for key in ORIENTATION_TEXT_FIELDS:
        a = (old.snapshot or {}).get(key, "").splitlines()
        b = (new.snapshot or {}).get(key, "").splitlines()
        if a == b:
            continue
        lines = []
        for line in difflib.ndiff(a, b):
            code, text = line[:2], line[2:]
            if code == "  ":
                lines.append(DiffLine("same", text))
            elif code == "- ":
                lines.append(DiffLine("removed", text))
            elif code == "+ ":
                lines.append(DiffLine("added", text))
        result.append((key, lines))
    return result
