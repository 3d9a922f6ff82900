"""Account operations: sign-in, invitations, password resets. No request objects here; nothing commits."""

import enum
import logging
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from app.compliance import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.mail import send_mail
from app.models import AccountToken, Organization, Role, TokenPurpose, User, utcnow
from app.models.people import hash_token, normalize_email
from app.web.urls import external_url

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10


class TokenProblem(enum.StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"


class TokenError(DomainError):
    """A link that cannot be used (``problem``); the view answers with the page of that problem."""

    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class EmailTaken(DomainError):
    """Another account already uses ``email``."""

    def __init__(self, email: str) -> None:
        super().__init__(_l("An account already uses this e-mail address."), "email")
        self.email = email


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=normalize_email(email))).scalar_one_or_none()


_DUMMY_SALT = secrets.token_hex(8)


def _dummy_hash(method: str) -> str:
    """A hash no password matches that costs what a real one of ``method`` costs to check: the check derives a key
    with the method's parameters (exactly as ``generate_password_hash(method=...)`` did) before comparing."""
    return f"{method}${_DUMMY_SALT}${'0' * 64}"


def authenticate(email: str, password: str) -> User | None:
    """The user when the e-mail and password match an active account; None otherwise, whatever the reason.

    Exactly one password hash is checked whatever the reason, against a dummy hash of the same method when there
    is no account, it is inactive or it has no password yet: the time taken tells nothing about the address.
    """
    user = find_user_by_email(email)
    if user is not None and user.active and user.password_hash is not None:
        valid = user.check_password(password)
    else:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        valid = False
    if not valid:
        return None
    user.last_login_at = utcnow()
    return user


def create_user(
    email: str,
    name: str,
    role: Role,
    *,
    password: str | None = None,
    organization: Organization | None = None,
    locale: str = "fr_CA",
    actor: User | None = None,
) -> User:
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(email=email, name=name, role=role, organization=organization, locale=locale)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, role=role.value)
    return user


def issue_token(user: User, purpose: TokenPurpose, max_age: timedelta) -> str:
    """Invalidate the user's earlier unused tokens of this purpose and return a new clear token."""
    for old in db.session.execute(
        db.select(AccountToken).filter_by(user_id=user.id, purpose=purpose, used_at=None)
    ).scalars():
        old.used_at = utcnow()
    token, clear = AccountToken.issue(user, purpose, max_age)
    db.session.add(token)
    db.session.flush()
    return clear


def check_token(clear: str, purpose: TokenPurpose) -> AccountToken:
    token = db.session.execute(
        db.select(AccountToken).filter_by(token_hash=hash_token(clear), purpose=purpose)
    ).scalar_one_or_none()
    if token is None or not token.user.active:
        raise TokenError(TokenProblem.INVALID)
    if token.is_used:
        raise TokenError(TokenProblem.USED)
    if token.is_expired or token.is_outdated:
        raise TokenError(TokenProblem.EXPIRED)
    return token


def redeem_token(clear: str, purpose: TokenPurpose, new_password: str) -> User:
    """Use a token once to set the account's password. The conditional UPDATE lets only one submission win."""
    token = check_token(clear, purpose)
    claimed = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise TokenError(TokenProblem.USED)
    user = token.user
    user.set_password(new_password)
    action = "user.accept_invitation" if purpose is TokenPurpose.INVITATION else "user.reset_password"
    audit.record(user, action, user)
    return user


def request_password_reset(email: str) -> bool:
    """Issue a reset link for the active account using ``email`` and queue its e-mail; False when there is none.

    The caller commits. The web form runs this after its response has left, as work of its own that commits when it
    ends (app/core/deferred.py), so the answer takes the same time whether or not the address has an account.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return False
    mail_link(user, TokenPurpose.PASSWORD_RESET, "auth.reset_password", _l("Concerto: reset your password"))
    return True


def mail_link(user: User, purpose: TokenPurpose, endpoint: str, subject: Any, **context: Any) -> str:
    """Issue a one-use link of ``purpose`` (to ``endpoint``) for ``user`` and queue the e-mail that carries it,
    ``templates/emails/<purpose>.txt``, in the person's language; returns the link. The link lasts as long as the
    setting ``<PURPOSE>_MAX_AGE`` says."""
    link = external_url(endpoint, token=issue_token(user, purpose, current_app.config[f"{purpose.name}_MAX_AGE"]))
    with force_locale(user.locale):
        send_mail(user.email, str(subject), render_template(f"emails/{purpose}.txt", user=user, link=link, **context))
    return link
