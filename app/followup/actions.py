"""Collective actions (chantiers) under adopted priorities: creation, edits refused on a stale version, status
moves, indicators and their measurements. Every change writes a revision with a snapshot of the action (its
indicators included), like orientations. Services flush, never commit."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.compliance import audit
from app.core.extensions import db
from app.core.queries import rows_where
from app.followup.errors import FollowupError, StaleEdit
from app.followup.quantities import format_quantity, parse_quantity
from app.models import (
    ActionRevision,
    ActionStatus,
    CollectiveAction,
    IllegalTransition,
    Indicator,
    Measurement,
    Organization,
    Orientation,
    OrientationState,
    ProgressUpdate,
    User,
    utcnow,
)
from app.models.followup import ACTION_TEXT_FIELDS

MAX_TITLE = 300


def adopted_priorities(process_id: int) -> list[Orientation]:
    """The adopted orientations of a process (its priorities), in their order of creation."""
    return rows_where(
        Orientation,
        Orientation.process_id == process_id,
        Orientation.state == OrientationState.ADOPTED,
        order_by=Orientation.id,
    )


def actions_of(process_id: int) -> list[CollectiveAction]:
    return rows_where(
        CollectiveAction,
        CollectiveAction.process_id == process_id,
        order_by=(CollectiveAction.orientation_id, CollectiveAction.id),
    )


def snapshot(action: CollectiveAction) -> dict[str, Any]:
    data: dict[str, Any] = {key: getattr(action, key) or "" for key in ACTION_TEXT_FIELDS}
    data.update(
        status=action.status.value,
        lead_organization=action.lead_organization.name if action.lead_organization is not None else "",
        starts_on=action.starts_on.isoformat() if action.starts_on else "",
        ends_on=action.ends_on.isoformat() if action.ends_on else "",
        indicators=[
            {
                "name_fr": indicator.name_fr,
                "name_en": indicator.name_en,
                "unit": indicator.unit,
                "baseline": format_quantity(indicator.baseline) if indicator.baseline is not None else "",
                "target": format_quantity(indicator.target) if indicator.target is not None else "",
            }
            for indicator in action.indicators
        ],
    )
    return data


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as error:  # another transaction saved the row between our read and our write
        raise StaleEdit() from error


def _revise(action: CollectiveAction, actor: User | None, note: str = "") -> ActionRevision:
    action.updated_at = utcnow()  # the row changes, so its version moves on: an older form is stale
    _flush()  # first: the action's row is written (or found changed by someone else) before anything else
    number = (
        db.session.scalar(sa.select(sa.func.max(ActionRevision.number)).where(ActionRevision.action_id == action.id))
        or 0
    ) + 1
    db.session.refresh(action, ["indicators"])
    revision = ActionRevision(
        action_id=action.id, number=number, author=actor, note=note[:300], snapshot=snapshot(action)
    )
    db.session.add(revision)
    _flush()
    return revision


def check_version(action: CollectiveAction, seen_version: Any) -> None:
    try:
        seen = int(seen_version)
    except (TypeError, ValueError):
        seen = None
    if seen != action.version:
        raise StaleEdit()


def _check_fields(fields: dict[str, Any], current: CollectiveAction | None = None) -> None:
    title = (fields.get("title_fr") if "title_fr" in fields else (current.title_fr if current else "")) or ""
    if not title.strip():
        raise FollowupError(_l("Give the action a French title."), "title_fr")
    for key in ("title_fr", "title_en"):
        if len(fields.get(key) or "") > MAX_TITLE:
            raise FollowupError(_l("At most %(count)d characters.", count=MAX_TITLE), key)
    starts_on = fields.get("starts_on", current.starts_on if current else None)
    ends_on = fields.get("ends_on", current.ends_on if current else None)
    if starts_on and ends_on and ends_on < starts_on:
        raise FollowupError(_l("The end date cannot be before the start date."), "ends_on")


def _lead(organization_id: int | None) -> Organization | None:
    if not organization_id:
        return None
    organization = db.session.get(Organization, int(organization_id))
    if organization is None:
        raise FollowupError(_l("Choose an organization from the list."), "lead_organization_id")
    return organization


def create_action(orientation: Orientation, actor: User, *, note: str = "", **fields: Any) -> CollectiveAction:
    """A new action under an adopted priority, status "planned" unless another is given."""
    if orientation.state is not OrientationState.ADOPTED:
        raise FollowupError(_l("Actions follow an adopted priority: this orientation is not adopted."))
    _check_fields(fields)
    action = CollectiveAction(
        process_id=orientation.process_id,
        orientation=orientation,
        created_by=actor,
        lead_organization=_lead(fields.get("lead_organization_id")),
        starts_on=fields.get("starts_on"),
        ends_on=fields.get("ends_on"),
    )
    for key in ACTION_TEXT_FIELDS:
        if key != "abandon_reason":
            setattr(action, key, (fields.get(key) or "").strip())
    db.session.add(action)
    _flush()
    status = ActionStatus(fields.get("status") or ActionStatus.PLANNED)
    if status is ActionStatus.ABANDONED:
        _move(action, status, fields.get("abandon_reason") or "")
    else:
        action.status = status  # a new action may start in any status (it may have begun before it was recorded)
    _revise(action, actor, note)
    audit.record(actor, "action.create", action, orientation=orientation.id)
    return action


def _move(action: CollectiveAction, target: ActionStatus, reason: str) -> None:
    try:
        action.move_to(target)
    except IllegalTransition as error:
        raise FollowupError(_l("This change of status is not possible now."), "status") from error
    if target is ActionStatus.ABANDONED:
        if not reason.strip():
            raise FollowupError(_l("Say why the action is abandoned."), "abandon_reason")
        action.abandon_reason = reason.strip()
    else:
        action.abandon_reason = ""


def update_action(action: CollectiveAction, actor: User, seen_version: Any, *, note: str = "", **fields: Any) -> bool:
    """Apply the fields given, refused when the action changed since ``seen_version`` was read. A revision when
    anything changed; returns whether it did."""
    check_version(action, seen_version)
    _check_fields(fields, action)
    with db.session.no_autoflush:  # the changed row is written once, by _revise, where a stale version is caught
        if not _apply(action, fields):
            return False
    revision = _revise(action, actor, note)
    audit.record(actor, "action.edit", action, revision=revision.number, status=action.status.value)
    return True


def _apply(action: CollectiveAction, fields: dict[str, Any]) -> bool:
    """Set the fields on the action; whether anything changed."""
    before = snapshot(action)
    for key in ACTION_TEXT_FIELDS:
        if key in fields and key != "abandon_reason" and fields[key] is not None:
            setattr(action, key, fields[key].strip())
    if "lead_organization_id" in fields:
        action.lead_organization = _lead(fields["lead_organization_id"])
    for key in ("starts_on", "ends_on"):
        if key in fields:
            setattr(action, key, fields[key])
    if fields.get("status"):
        target = ActionStatus(fields["status"])
        if target is not action.status or (
            target is ActionStatus.ABANDONED and (fields.get("abandon_reason") or "").strip() != action.abandon_reason
        ):
            _move(action, target, fields.get("abandon_reason") or "")
    return snapshot(action) != before


# --- indicators and measurements ---------------------------------------------------------------------------


def add_indicator(
    action: CollectiveAction,
    actor: User,
    seen_version: Any,
    *,
    name_fr: str,
    name_en: str = "",
    unit: str,
    baseline: str | None = None,
    target: str | None = None,
) -> Indicator:
    check_version(action, seen_version)
    if not (name_fr or "").strip():
        raise FollowupError(_l("Give the indicator a French name."), "name_fr")
    if not (unit or "").strip():
        raise FollowupError(_l("Give the unit of the indicator (%, people, places…)."), "unit")
    unit = unit.strip()
    indicator = Indicator(
        action=action,
        position=len(action.indicators),
        name_fr=name_fr.strip(),
        name_en=(name_en or "").strip(),
        unit=unit,
        baseline=parse_quantity(baseline, unit, field="baseline", required=False),
        target=parse_quantity(target, unit, field="target", required=False),
    )
    db.session.add(indicator)
    _flush()
    _revise(action, actor, f"indicator: {indicator.name_fr}")
    audit.record(actor, "action.indicator", action, indicator=indicator.id)
    return indicator


def record_measurement(
    indicator: Indicator,
    actor: User | None,
    *,
    measured_on: date | None,
    value: str,
    update: ProgressUpdate | None = None,
) -> Measurement:
    """A dated value, a number in the indicator's unit (else refused, naming the field ``value``)."""
    if measured_on is None:
        raise FollowupError(_l("Give the date of the measurement."), "measured_on")
    number = parse_quantity(value, indicator.unit, field="value")
    measurement = Measurement(
        indicator=indicator,
        measured_on=measured_on,
        value=number,
        update=update,
        recorded_by_id=actor.id if actor else None,
    )
    db.session.add(measurement)
    db.session.flush()
    audit.record(actor, "action.measurement", indicator.action, indicator=indicator.id, value=str(number))
    return measurement


def public_measurements(indicator_ids: list[int]) -> dict[int, list[Measurement]]:
    """Measurements the public may see, by indicator: entered by a facilitator, or posted with an approved update."""
    from app.models import ItemState, ModerationItem

    if not indicator_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Measurement)
        .outerjoin(ProgressUpdate, ProgressUpdate.id == Measurement.update_id)
        .outerjoin(ModerationItem, ModerationItem.id == ProgressUpdate.item_id)
        .where(
            Measurement.indicator_id.in_(indicator_ids),
            sa.or_(Measurement.update_id.is_(None), ModerationItem.state == ItemState.APPROVED),
        )
        .order_by(Measurement.measured_on, Measurement.id)
    )
    result: dict[int, list[Measurement]] = {}
    for measurement in rows:
        result.setdefault(measurement.indicator_id, []).append(measurement)
    return result


@dataclass
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [
            f"{i.get('name_fr', '')} ({i.get('unit', '')}) {i.get('baseline', '')} → {i.get('target', '')}"
            for i in value
        ]
    return str(value or "").splitlines()


def diff(old: ActionRevision, new: ActionRevision) -> list[tuple[str, list[DiffLine]]]:
    """Per field of the snapshot, the line differences."""
    result = []
    keys = list(dict.fromkeys([*(old.snapshot or {}), *(new.snapshot or {})]))
    for key in keys:
        a, b = _lines((old.snapshot or {}).get(key)), _lines((new.snapshot or {}).get(key))
        if a == b:
            continue
        lines = []
        for line in difflib.ndiff(a, b):
            code, text = line[:2], line[2:]
            if code in ("  ", "- ", "+ "):
                lines.append(DiffLine({"  ": "same", "- ": "removed", "+ ": "added"}[code], text))
        result.append((key, lines))
    return result
