"""Partner organizations' commitments to adopted priorities (and their actions): declared by a partner for their own
organization, moderated like every partner text, public once approved. The matrix organizations × priorities (who
does what, where no one is committed) and its XLSX export. Services flush, never commit."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.compliance import audit
from app.core.extensions import db
from app.core.labels import label
from app.core.queries import rows_where
from app.exports.export import neutralize
from app.followup.errors import FollowupError
from app.followup.moderated import submit_text
from app.followup.quantities import parse_quantity
from app.models import (
    CollectiveAction,
    Commitment,
    CommitmentKind,
    ItemSource,
    ItemState,
    ModerationItem,
    Organization,
    Orientation,
    OrientationState,
    Process,
    User,
    utcnow,
)
from app.web.i18n import localized

MAX_TEXT = 1000
MAX_HOURS = 1_000_000


@dataclass
class CommitmentFields:
    orientation_id: int | None
    kind: str
    text: str
    action_id: int | None = None
    amount: str | None = None
    hours: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


def _clean(process: Process, fields: CommitmentFields) -> dict[str, Any]:
    orientation = db.session.get(Orientation, fields.orientation_id or 0)
    if orientation is None or orientation.process_id != process.id or orientation.state is not OrientationState.ADOPTED:
        raise FollowupError(_l("Choose one of the adopted priorities."), "orientation_id")
    action = None
    if fields.action_id:
        action = db.session.get(CollectiveAction, fields.action_id)
        if action is None or action.orientation_id != orientation.id:
            raise FollowupError(_l("Choose an action of that priority, or none."), "action_id")
    try:
        kind = CommitmentKind(fields.kind)
    except ValueError as error:
        raise FollowupError(_l("Choose the kind of contribution."), "kind") from error
    text = (fields.text or "").strip()
    if not text:
        raise FollowupError(_l("Say in a few words what your organization will do."), "text")
    if len(text) > MAX_TEXT:
        raise FollowupError(_l("At most %(count)d characters.", count=MAX_TEXT), "text")
    amount = parse_quantity(fields.amount, "$", field="amount", required=False)
    if amount is not None and amount < 0:
        raise FollowupError(_l("An amount cannot be negative."), "amount")
    hours = parse_quantity(fields.hours, "h", field="hours", required=False)
    if hours is not None and (hours < 0 or hours != hours.to_integral_value() or hours > MAX_HOURS):
        raise FollowupError(_l("Give a whole number of hours."), "hours")
    if fields.starts_on and fields.ends_on and fields.ends_on < fields.starts_on:
        raise FollowupError(_l("The end date cannot be before the start date."), "ends_on")
    return {
        "orientation": orientation,
        "action": action,
        "kind": kind,
        "text": text,
        "amount": amount.quantize(Decimal("0.01")) if amount is not None else None,
        "hours": int(hours) if hours is not None else None,
        "starts_on": fields.starts_on,
        "ends_on": fields.ends_on,
    }


def _organization_of(user: User) -> Organization:
    if user.organization is None:
        raise FollowupError(_l("Your account is not linked to an organization: ask a facilitator."))
    return user.organization


def declare(process: Process, user: User, fields: CommitmentFields, language: str = "fr") -> Commitment:
    """A new commitment of the user's organization; its text waits in the moderation queue."""
    organization = _organization_of(user)
    values = _clean(process, fields)
    commitment = Commitment(process=process, organization=organization, author=user, language=language, **values)
    db.session.add(commitment)
    db.session.flush()
    commitment.item = submit_text(
        process_id=process.id,
        source=ItemSource.COMMITMENT,
        author=user,
        organization=organization,
        language=language,
        text=commitment.text,
    )
    db.session.flush()
    audit.record(user, "commitment.declare", commitment, organization=organization.id, kind=commitment.kind.value)
    return commitment


def update(commitment: Commitment, user: User, fields: CommitmentFields, language: str = "fr") -> bool:
    """Change a commitment; a changed text goes back to moderation (the public sees nothing of it until approved)."""
    values = _clean(commitment.process, fields)
    text_changed = values["text"] != commitment.text
    changed = text_changed
    for key, value in values.items():
        if getattr(commitment, key) != value:
            setattr(commitment, key, value)
            changed = True
    if not changed:
        return False
    if text_changed:
        previous = commitment.item
        commitment.item = None
        db.session.flush()
        commitment.language = language
        commitment.item = submit_text(
            process_id=commitment.process_id,
            source=ItemSource.COMMITMENT,
            author=user,
            organization=commitment.organization,
            language=language,
            text=commitment.text,
            previous=previous,
        )
    commitment.updated_at = utcnow()
    db.session.flush()
    audit.record(user, "commitment.edit", commitment, text_changed=text_changed)
    return True


def withdraw(commitment: Commitment, user: User) -> None:
    """The organization takes its commitment back: gone from every page; a text never decided on leaves the queue."""
    item = commitment.item
    audit.record(user, "commitment.withdraw", commitment, organization=commitment.organization_id)
    db.session.delete(commitment)
    db.session.flush()
    if item is not None and item.state is ItemState.PENDING and item.decided_at is None:
        db.session.delete(item)
        db.session.flush()


def own_commitment_or_404(commitment_id: int, user: User) -> Commitment:
    """A commitment of the user's own organization; any other (or none) is a 404: its existence is not revealed."""
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None or user.organization_id is None or commitment.organization_id != user.organization_id:
        abort(404)
    return commitment


def organization_commitments(process_id: int, organization_id: int) -> list[Commitment]:
    return rows_where(
        Commitment,
        Commitment.process_id == process_id,
        Commitment.organization_id == organization_id,
        order_by=(Commitment.orientation_id, Commitment.id),
    )


def public_commitments(process_id: int) -> list[Commitment]:
    """Approved commitments only (their ``public_text`` is the redacted, approved text)."""
    return list(
        db.session.scalars(
            sa.select(Commitment)
            .join(ModerationItem, ModerationItem.id == Commitment.item_id)
            .join(Organization, Organization.id == Commitment.organization_id)
            .where(
                Commitment.process_id == process_id,
                ModerationItem.state == ItemState.APPROVED,
                ModerationItem.redacted_text.is_not(None),
            )
            .order_by(Commitment.orientation_id, Organization.name, Commitment.id)
            .options(
                selectinload(Commitment.organization), selectinload(Commitment.item), selectinload(Commitment.action)
            )
        )
    )


# --- the matrix organizations × priorities ------------------------------------------------------------------


@dataclass
class Matrix:
    process: Process
    priorities: list[Orientation]
    organizations: list[Organization]
    cells: dict[tuple[int, int], list[Commitment]] = field(default_factory=dict)  # (organization, priority)

    def cell(self, organization_id: int, priority_id: int) -> list[Commitment]:
        return self.cells.get((organization_id, priority_id), [])

    def committed(self, priority_id: int) -> int:
        """How many organizations committed to the priority."""
        return sum(1 for (_org, pid), found in self.cells.items() if pid == priority_id and found)

    @property
    def gaps(self) -> list[Orientation]:
        """The priorities no organization committed to."""
        return [p for p in self.priorities if not self.committed(p.id)]


def matrix(process: Process, *, approved_only: bool = False) -> Matrix:
    """Every organization × every adopted priority, with the commitments in each cell (pending ones too, for the
    facilitators, unless ``approved_only``). Organizations without any commitment are listed last."""
    from app.followup.actions import adopted_priorities

    priorities = adopted_priorities(process.id)
    query = (
        sa.select(Commitment)
        .where(Commitment.process_id == process.id)
        .order_by(Commitment.id)
        .options(selectinload(Commitment.item))
    )
    if approved_only:
        query = query.join(ModerationItem, ModerationItem.id == Commitment.item_id).where(
            ModerationItem.state == ItemState.APPROVED
        )
    cells: dict[tuple[int, int], list[Commitment]] = {}
    for commitment in db.session.scalars(query):
        cells.setdefault((commitment.organization_id, commitment.orientation_id), []).append(commitment)
    organizations = list(db.session.scalars(sa.select(Organization).order_by(Organization.name)))
    committed = {org for org, _pid in cells}
    organizations.sort(key=lambda o: (o.id not in committed, o.name.lower()))
    return Matrix(process, priorities, organizations, cells)


def cell_text(commitments: Sequence[Commitment]) -> str:
    """A cell as words: the kinds, with amounts and hours ("Funding (5 000 $); Staff time (120 h)")."""
    from app.followup.quantities import format_quantity

    parts = []
    for commitment in commitments:
        extra = []
        if commitment.amount is not None:
            extra.append(format_quantity(commitment.amount, "$"))
        if commitment.hours is not None:
            extra.append(format_quantity(commitment.hours, "h"))
        text = label("commitment_kind", commitment.kind)
        if extra:
            text += f" ({', '.join(extra)})"
        if not commitment.is_published:
            text += f" [{_('awaiting moderation')}]"
        parts.append(text)
    return "; ".join(parts)


def matrix_xlsx(grid: Matrix, language: str) -> bytes:
    """The matrix as an XLSX workbook: one row per organization, one column per priority, the totals and the gaps
    on the last row. Every text cell is a typed string made inert like the other exports
    (:func:`app.exports.export.neutralize`): organization names and priorities come from people."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet(_("commitments"))
    sheet.write_string(0, 0, neutralize(_("Organization")), bold)
    for col, priority in enumerate(grid.priorities, start=1):
        sheet.write_string(0, col, neutralize(localized(priority, "title", language)), bold)
        sheet.set_column(col, col, 30)
    sheet.set_column(0, 0, 40)
    row = 0
    for row, organization in enumerate(grid.organizations, start=1):
        sheet.write_string(row, 0, neutralize(organization.name), wrap)
        for col, priority in enumerate(grid.priorities, start=1):
            found = grid.cell(organization.id, priority.id)
            if found:
                sheet.write_string(row, col, neutralize(cell_text(found)), wrap)
    total_row = row + 1
    sheet.write_string(total_row, 0, neutralize(_("Organizations committed")), bold)
    for col, priority in enumerate(grid.priorities, start=1):
        count = grid.committed(priority.id)
        if count:
            sheet.write_number(total_row, col, count, bold)
        else:
            sheet.write_string(total_row, col, neutralize(_("No one committed")), bold)
    sheet.freeze_panes(1, 1)
    workbook.close()
    return buffer.getvalue()
