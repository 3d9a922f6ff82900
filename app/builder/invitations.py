"""Single-use invitation links ``/i/<token>``: created N at a time, listed once in a CSV, optionally e-mailed.

Only the SHA-256 digest of each token is stored (``Invitation.token_hash``, ``app.models.people.hash_token``): the
clear links exist only in the answer to the creation request (and in the e-mails). The addresses are stored only
for identified surveys (where the respondent's address is asked anyway): for anonymous and confidential ones they
are used to send the mails and list the links once, then forgotten, so that nothing in the database can lead from
a response to an address.
"""

import csv
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.compliance import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.mail import send_mail
from app.models import Anonymity, Invitation, Survey, User, utcnow
from app.models.people import hash_token, normalize_email
from app.web.urls import external_url

MAX_INVITATIONS = 1000
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


class InvitationError(DomainError):
    """Links that cannot be made or sent; ``field`` names the form field at fault."""


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str
    email: str | None = None  # where the link goes (stored in the invitation for identified surveys only)

    def link(self) -> str:
        return external_url("respond.show_invitation", token=self.token)


def parse_emails(text: str) -> list[str]:
    """One address per line (commas and semicolons also separate); raise InvitationError naming bad lines."""
    emails, bad, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        for part in re.split(r"[,;]", line):
            address = normalize_email(part)
            if not address:
                continue
            if len(address) > 254 or not EMAIL_RE.fullmatch(address):
                bad.append(str(number))
                continue
            if address not in seen:
                seen.add(address)
                emails.append(address)
    if bad:
        raise InvitationError(
            _("These lines do not hold a valid e-mail address: %(lines)s.", lines=", ".join(bad[:20])), "emails"
        )
    if len(emails) > MAX_INVITATIONS:
        raise InvitationError(_("At most %(max)d addresses at a time.", max=MAX_INVITATIONS), "emails")
    return emails


def create_invitations(
    actor: User | None,
    survey: Survey,
    *,
    count: int | None,
    emails: list[str],
    attributes: dict[str, str],
    expires_at: datetime | None = None,
    event_id: int | None = None,
) -> list[NewInvitation]:
    """``count`` anonymous links, or one link per address of ``emails`` (then ``count`` is ignored)."""
    total = len(emails) if emails else (count or 0)
    if not 1 <= total <= MAX_INVITATIONS:
        raise InvitationError(
            _("Create from 1 to %(max)d invitations at a time.", max=MAX_INVITATIONS),
            "count",
        )
    attributes = {key: value for key, value in attributes.items() if value}
    keeps_address = survey.anonymity is Anonymity.IDENTIFIED
    created = []
    for index in range(total):
        token = secrets.token_urlsafe(24)
        email = emails[index] if emails else None
        invitation = Invitation(
            survey=survey,
            token_hash=hash_token(token),
            attributes=dict(attributes),
            email=email if keeps_address else None,
            expires_at=expires_at,
            event_id=event_id,
        )
        db.session.add(invitation)
        created.append(NewInvitation(invitation, token, email))
    db.session.flush()
    audit.record(actor, "survey.invitations", survey, count=total, with_email=bool(emails), **attributes)
    return created


CSV_COLUMNS = ("link", "email", "territory", "group", "expires_at")


def _cell(text: str) -> str:
    """A typed value that a spreadsheet would run as a formula is kept as text."""
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def invitations_csv(created: list[NewInvitation]) -> str:
    """The CSV of the new links (UTF-8 with a byte-order mark so that spreadsheet programs read the accents)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in created:
        invitation = item.invitation
        writer.writerow(
            [
                item.link(),
                _cell(item.email or ""),
                _cell(invitation.attributes.get("territory", "")),
                _cell(invitation.attributes.get("group", "")),
                invitation.expires_at.isoformat() if invitation.expires_at else "",
            ]
        )
    return buffer.getvalue()


def send_invitation_mails(survey: Survey, created: list[NewInvitation]) -> int:
    """E-mail each link that has an address (French first, then English); return how many were queued (they leave
    once the caller's transaction commits, see app/core/mail.py)."""
    sent = 0
    for item in created:
        invitation = item.invitation
        if not item.email:
            continue
        bodies = []
        for locale in ("fr_CA", "en"):
            with force_locale(locale):
                bodies.append(render_template("emails/survey_invitation.txt", survey=survey, link=item.link()))
        subject = f"{survey.title_fr} / {survey.title_en}" if survey.title_en else survey.title_fr
        subject = " ".join(subject.split())  # no line breaks in a header
        send_mail(item.email, subject, "\n\n— — —\n\n".join(bodies))
        invitation.sent_at = utcnow()
        sent += 1
    db.session.flush()
    return sent
