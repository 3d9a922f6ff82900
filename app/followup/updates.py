"""Progress updates posted by an action's lead (text, optional measurement), approved for publication through the
moderation queue; the actions with no update for N days, and the reminders e-mailed to their leads (queued, sent
after the commit: app/mail.py). Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app.compliance import audit
from app.core.extensions import db
from app.core.mail import send_mail
from app.core.queries import rows_where
from app.followup.actions import record_measurement
from app.followup.errors import FollowupError
from app.followup.moderated import submit_text
from app.models import (
    ActionStatus,
    CollectiveAction,
    Indicator,
    ItemSource,
    ProgressUpdate,
    Role,
    User,
)
from app.web.i18n import localized
from app.web.urls import external_url

MAX_TEXT = 4000
REMIND_AGAIN_AFTER = timedelta(hours=24)  # a second click, or a replayed POST, sends nothing more
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


def is_lead(user: User, action: CollectiveAction) -> bool:
    """Members of the lead organization post the action's updates (facilitators may post for them)."""
    if user.has_role(Role.FACILITATOR):
        return True
    return user.organization_id is not None and user.organization_id == action.lead_organization_id


def post_update(
    action: CollectiveAction,
    user: User,
    *,
    text: str,
    posted_on: date | None,
    today: date,
    language: str = "fr",
    indicator_id: int | None = None,
    value: str | None = None,
    measured_on: date | None = None,
) -> ProgressUpdate:
    """A dated update; its text (and the measurement given with it) is public once a facilitator approves it."""
    text = (text or "").strip()
    if not text:
        raise FollowupError(_l("Write what happened since the last update."), "text")
    if len(text) > MAX_TEXT:
        raise FollowupError(_l("At most %(count)d characters.", count=MAX_TEXT), "text")
    if posted_on is None:
        raise FollowupError(_l("Give the date of the update."), "posted_on")
    if posted_on > today:
        raise FollowupError(_l("The date of the update cannot be in the future."), "posted_on")
    indicator = None
    if indicator_id:
        indicator = db.session.get(Indicator, indicator_id)
        if indicator is None or indicator.action_id != action.id:
            raise FollowupError(_l("Choose an indicator of this action."), "indicator_id")
    elif (value or "").strip():
        raise FollowupError(_l("Choose the indicator this value measures."), "indicator_id")
    said = {"author": user, "organization": user.organization, "language": language, "text": text}
    update = ProgressUpdate(action=action, posted_on=posted_on, **said)
    db.session.add(update)
    db.session.flush()
    if indicator is not None and (value or "").strip():
        record_measurement(indicator, user, measured_on=measured_on or posted_on, value=value or "", update=update)
    update.item = submit_text(process_id=action.process_id, source=ItemSource.PROGRESS_UPDATE, **said)
    db.session.flush()
    audit.record(user, "action.update", action, update=update.id)
    return update


def updates_of(action_id: int | list[int], *, published_only: bool = False) -> list[ProgressUpdate]:
    """The updates of an action (or of several), the latest first."""
    from app.models import ItemState, ModerationItem

    ids = action_id if isinstance(action_id, list) else [action_id]
    query = (
        sa.select(ProgressUpdate)
        .where(ProgressUpdate.action_id.in_(ids))
        .order_by(ProgressUpdate.posted_on.desc(), ProgressUpdate.id.desc())
        .options(selectinload(ProgressUpdate.item), selectinload(ProgressUpdate.organization))
    )
    if published_only:
        query = query.join(ModerationItem, ModerationItem.id == ProgressUpdate.item_id).where(
            ModerationItem.state == ItemState.APPROVED, ModerationItem.redacted_text.is_not(None)
        )
    return list(db.session.scalars(query))


def pending_updates(process_id: int) -> list[ProgressUpdate]:
    """Updates of the process's actions still waiting for a facilitator's decision (in the moderation queue)."""
    from app.models import ItemState, ModerationItem

    return rows_where(
        ProgressUpdate,
        ProgressUpdate.action.has(process_id=process_id),
        ProgressUpdate.item.has(ModerationItem.state.in_([ItemState.PENDING, ItemState.NEEDS_REDACTION])),
        order_by=ProgressUpdate.id,
    )


@dataclass
class StaleAction:
    action: CollectiveAction
    last_update: date | None  # the date of its last update (any), None when it never had one
    since: date  # what "no update for N days" counts from


def stale_actions(process_id: int, days: int, today: date) -> list[StaleAction]:
    """Actions still planned or in progress with no update (posted or waiting) for ``days`` days or more."""
    last = (
        sa.select(ProgressUpdate.action_id, sa.func.max(ProgressUpdate.posted_on).label("last"))
        .group_by(ProgressUpdate.action_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(CollectiveAction, last.c.last)
        .outerjoin(last, last.c.action_id == CollectiveAction.id)
        .where(CollectiveAction.process_id == process_id, CollectiveAction.status.in_(OPEN_STATUSES))
        .order_by(CollectiveAction.id)
    ).all()
    limit = today - timedelta(days=days)
    result = []
    for action, last_update in rows:
        since = last_update or action.created_at.date()
        if since <= limit:
            result.append(StaleAction(action, last_update, since))
    return result


def lead_recipients(action: CollectiveAction) -> list[User]:
    if action.lead_organization_id is None:
        return []
    return rows_where(
        User, User.organization_id == action.lead_organization_id, User.active.is_(True), order_by=User.id
    )


@dataclass
class Reminded:
    actions: int = 0
    messages: int = 0
    skipped_recent: int = 0
    without_lead: int = 0


def remind(stale: list[StaleAction], actor: User, now: datetime) -> Reminded:
    """E-mail the members of each action's lead organization (in their language), at most once a day per action."""
    done = Reminded()
    for entry in stale:
        action = entry.action
        if action.reminded_at is not None and now - action.reminded_at < REMIND_AGAIN_AFTER:
            done.skipped_recent += 1
            continue
        recipients = lead_recipients(action)
        if not recipients:
            done.without_lead += 1
            continue
        link = external_url("followup.new_update", action_id=action.id)
        for user in recipients:
            with force_locale(user.locale or "fr_CA"):
                title = localized(action, "title")
                body = render_template("emails/followup_reminder.txt", action=action, entry=entry, link=link)
                subject = _("News of the action “%(title)s”?", title=title)
            send_mail(user.email, " ".join(subject.split()), body)
            done.messages += 1
        action.reminded_at = now
        done.actions += 1
        audit.record(actor, "action.remind", action, recipients=len(recipients))
    db.session.flush()
    return done
