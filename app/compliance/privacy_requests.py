"""Access and erasure requests of a person known by an e-mail address (Quebec's Law 25). No request objects here;
the caller commits.

What is tied to an address, and what erasure does with it:

- responses whose respondent gave the address (``RespondentContact``, identified surveys), complete or in
  progress, and responses started through an invitation sent to it (identified surveys keep their invitations'
  addresses): deleted, with their answers, contact, submission keys and the moderation items made from them;
- invitation links sent to it, used or not: deleted;
- an account invited with it and never activated (no password chosen): deleted, with its invitation links;
- free texts that mention it (answers of other responses, moderation items, partners' contributions and
  comments): the address is replaced with the placeholder of an e-mail ("[courriel]") and the item's personal
  information is detected again.

An account in use is reported, never deleted here (its votes and contributions belong to processes others rely
on): deactivate it under Users. Anonymous and confidential surveys keep no address, so nothing there is tied to
one. The audit log names the request by a random number, never the address.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.compliance import audit
from app.core.extensions import db
from app.models import (
    AccountToken,
    Answer,
    Comment,
    Contribution,
    Invitation,
    ModerationItem,
    RespondentContact,
    Response,
    User,
)
from app.models.people import normalize_email
from app.moderation import items as moderation_items
from app.moderation.pii import placeholder
from app.results import summary as results_summary

REQUEST_ID_RE = re.compile(r"[0-9a-f]{16}")

# Free text written by respondents and partners, where someone's address may be mentioned: (model, columns).
# Everything else that can hold an address is an identity column handled above (contacts, invitations, accounts)
# or staff-written structure (survey texts, orientations), which an erasure does not rewrite.
FREE_TEXT: tuple[tuple[type, tuple[str, ...]], ...] = (
    (Answer, ("text_value",)),
    (ModerationItem, ("text", "redacted_text")),
    (Contribution, ("title", "description", "why_it_matters")),
    (Comment, ("text",)),
)


def new_request_id() -> str:
    """A random number naming one request in the audit log (its search and its erasure), never the address."""
    return secrets.token_hex(8)


@dataclass
class Findings:
    """Everything tied to one address."""

    responses: list[Response] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    pending_accounts: list[User] = field(default_factory=list)
    account_in_use: bool = False
    # Free texts that mention the address: (model, row id), answers of the responses above excluded.
    mentions: list[tuple[type, int]] = field(default_factory=list)
    # How many texts people wrote mention it (a moderation item copying one of them is not counted twice).
    texts: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "responses": len(self.responses),
            "invitations": len(self.invitations),
            "accounts": len(self.pending_accounts),
            "texts": self.texts,
        }


def _mention_pattern(address: str) -> re.Pattern[str]:
    """The address as a whole (not "annemarie@…" for "marie@…", nor "…@example.org.uk"), in any case."""
    return re.compile(rf"(?<![\w.%+-]){re.escape(address)}(?![\w-]|\.\w)", re.IGNORECASE)


def _like(address: str) -> str:
    escaped = address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find(email: str) -> Findings:
    """Everything tied to ``email`` (compared without case)."""
    address = normalize_email(email)
    invitations = list(
        db.session.execute(
            sa.select(Invitation).where(sa.func.lower(Invitation.email) == address).order_by(Invitation.id)
        ).scalars()
    )
    by_contact = sa.select(RespondentContact.response_id).where(sa.func.lower(RespondentContact.email) == address)
    by_invitation = sa.select(Response.id).where(Response.invitation_id.in_([i.id for i in invitations]))
    responses = list(
        db.session.execute(
            sa.select(Response)
            .where(sa.or_(Response.id.in_(by_contact), Response.id.in_(by_invitation)))
            .options(db.joinedload(Response.survey))
            .order_by(Response.started_at, Response.id)
        ).scalars()
    )
    accounts = list(db.session.execute(sa.select(User).where(User.email == address)).scalars())
    findings = Findings(
        responses=responses,
        invitations=invitations,
        pending_accounts=[user for user in accounts if not user.has_password],
        account_in_use=any(user.has_password for user in accounts),
    )
    erased = {response.id for response in responses}
    pattern = _mention_pattern(address)
    origins: dict[tuple[type, int], tuple[type, int | None]] = {}
    for model, columns in FREE_TEXT:
        condition = sa.or_(*(sa.func.lower(getattr(model, name)).like(_like(address), escape="\\") for name in columns))
        query = sa.select(model).where(condition).order_by(model.id)
        for row in db.session.execute(query).scalars():
            if getattr(row, "response_id", None) in erased:
                continue  # deleted with its response
            if any(pattern.search(getattr(row, name) or "") for name in columns):
                findings.mentions.append((model, row.id))
                origins.setdefault((model, row.id), _origin(row))
    sources = {mention for mention in findings.mentions if mention[0] is not ModerationItem}
    findings.texts = len(sources) + sum(
        1 for mention in findings.mentions if mention[0] is ModerationItem and origins[mention] not in sources
    )
    return findings


def _origin(row: object) -> tuple[type, int | None]:
    """The text a moderation item copies (an answer, a contribution or a comment)."""
    if isinstance(row, ModerationItem):
        if row.answer_id is not None:
            return Answer, row.answer_id
        if row.contribution_id is not None:
            return Contribution, row.contribution_id
        return Comment, row.comment_id
    return type(row), getattr(row, "id", None)


def erase(email: str, actor: User | None, request_id: str) -> dict[str, int]:
    """Erase everything tied to ``email`` (see the module's docstring); return what was erased, by kind."""
    address = normalize_email(email)
    findings = find(address)
    counts = findings.counts()
    pattern = _mention_pattern(address)
    rescan = []
    for model, row_id in findings.mentions:
        row = db.session.get(model, row_id)
        language = _language(row)
        for name in dict(FREE_TEXT)[model]:
            value = getattr(row, name)
            if value:
                setattr(row, name, pattern.sub(placeholder("email", language), value))
        if isinstance(row, ModerationItem):
            rescan.append(row)
    if rescan:
        moderation_items.rescan(rescan)
    response_ids = [response.id for response in findings.responses]
    if response_ids:
        results_summary.forget(response.survey_id for response in findings.responses)
        db.session.execute(
            sa.delete(Response).where(Response.id.in_(response_ids)).execution_options(synchronize_session=False)
        )
    invitation_ids = [invitation.id for invitation in findings.invitations]
    if invitation_ids:
        db.session.execute(
            sa.delete(Invitation).where(Invitation.id.in_(invitation_ids)).execution_options(synchronize_session=False)
        )
    account_ids = [user.id for user in findings.pending_accounts]
    if account_ids:
        db.session.execute(
            sa.delete(AccountToken)
            .where(AccountToken.user_id.in_(account_ids))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(sa.delete(User).where(User.id.in_(account_ids)).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire_all()
    audit.record(actor, "respondent.erase", object_type="respondent", request=request_id, **counts)
    return counts


def record_search(actor: User | None, findings: Findings, request_id: str) -> None:
    audit.record(actor, "respondent.search", object_type="respondent", request=request_id, **findings.counts())


def _language(row: object) -> str:
    if isinstance(row, Answer):
        locale = db.session.scalar(sa.select(Response.locale).where(Response.id == row.response_id))
        return moderation_items.language_of(locale)
    return "en" if getattr(row, "language", "fr") == "en" else "fr"
