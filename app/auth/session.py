"""Sign-in sessions kept on the server, wired into Flask-Login.

Each sign-in creates a :class:`~app.models.SignInSession` row and gives the browser its random key, as the
Flask-Login user id: in the session cookie and, with "keep me signed in", the remember cookie. A request is signed
in only while that row exists, is not revoked, has not expired, and carries the user's current ``session_version``.
So signing out (:func:`sign_out`) makes both cookies of that device useless even if someone kept a copy, and
"sign out everywhere", a password change or a deactivation (which move ``session_version``) end every device.
"""

import secrets
from typing import Any

import sqlalchemy as sa
from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user

from app.compliance.privacy import data_section
from app.core.extensions import db
from app.models import SignInSession, User, utcnow
from app.models.people import hash_token

MAX_KEY_LENGTH = 128


def load_user(key: str) -> User | None:
    """The user of the sign-in session ``key`` while it is valid; one query."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    user = db.session.execute(
        sa.select(User)
        .join(SignInSession, SignInSession.user_id == User.id)
        .where(
            SignInSession.key_hash == hash_token(key),
            SignInSession.revoked_at.is_(None),
            SignInSession.expires_at > utcnow(),
            SignInSession.session_version == User.session_version,
            User.active.is_(True),
        )
    ).scalar_one_or_none()
    if user is not None:
        user.sign_in_key = key
    return user


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a sign-in session for this device (the caller commits). Without "remember", it lasts
    ``PERMANENT_SESSION_LIFETIME``; with it, ``REMEMBER_COOKIE_DURATION``."""
    config = current_app.config
    lifetime = config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    now = utcnow()
    # The user's ended sessions are of no more use: keep the table to the devices actually signed in.
    db.session.execute(
        sa.delete(SignInSession).where(
            SignInSession.user_id == user.id,
            sa.or_(
                SignInSession.revoked_at.is_not(None),
                SignInSession.expires_at <= now,
                SignInSession.session_version != user.session_version,
            ),
        )
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        SignInSession(
            key_hash=hash_token(key),
            user=user,
            session_version=user.session_version,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    user.sign_in_key = key
    login_user(user, remember=remember, duration=lifetime if remember else None)


def revoke(key: str | None) -> None:
    if key:
        db.session.execute(
            sa.update(SignInSession)
            .where(SignInSession.key_hash == hash_token(key), SignInSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def sign_out() -> None:
    """End this device's sign-in session (the caller commits) and forget everything the session held (a vote
    receipt, a moderation filter...) except the language chosen; the browser is told to drop the remember cookie."""
    revoke(session.get("_user_id"))
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    if remembered():
        session["_remember"] = "clear"  # Flask-Login deletes the cookie when it sees this


def sign_out_everywhere(user: User) -> None:
    """End every sign-in session of ``user``, this one included, and void the reset links sent to them."""
    user.end_all_sessions()
    db.session.execute(
        sa.update(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    sign_out()


def remembered() -> bool:
    """Whether this device has a "keep me signed in" cookie."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _sign_in_sessions(user: User) -> list[dict[str, Any]]:
    """The account's sign-ins still on record (their keys are never shown: only their hash is kept)."""
    rows = db.session.execute(
        sa.select(SignInSession).where(SignInSession.user_id == user.id).order_by(SignInSession.id)
    ).scalars()
    return [
        {
            "signed_in_at": row.created_at.isoformat(),
            "expires_at": row.expires_at.isoformat(),
            "signed_out_at": row.revoked_at.isoformat() if row.revoked_at else None,
        }
        for row in rows
    ]


def register(login_manager: LoginManager) -> None:
    login_manager.user_loader(load_user)
    data_section("sign_in_sessions")(_sign_in_sessions)  # in the account's personal-data download
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
