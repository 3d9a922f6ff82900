"""Accounts, organizations and territories."""

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, UTCDateTime, enum_column, utcnow

DEFAULT_HASH_METHOD = "scrypt"
FIRST_SESSION_VERSION = 1


class Role(enum.StrEnum):
    PARTNER = "partner"
    FACILITATOR = "facilitator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: "Role") -> bool:
        """An admin can do what a facilitator can, a facilitator what a partner can."""
        return self.rank >= other.rank


class Sector(enum.StrEnum):
    SCHOOL = "school"
    COMMUNITY = "community"
    MUNICIPAL = "municipal"
    HEALTH = "health"
    EMPLOYER = "employer"
    GOVERNMENT = "government"
    OTHER = "other"


class Territory(Base):
    __tablename__ = "territories"
    __table_args__ = (sa.CheckConstraint("population_target IS NULL OR population_target >= 0", "target_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    population_target: Mapped[int | None]

    def __repr__(self) -> str:
        return f"<Territory {self.code}>"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    sector: Mapped[Sector] = mapped_column(enum_column(Sector, "sector"))
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id", ondelete="SET NULL"), index=True)
    territory: Mapped[Territory | None] = relationship()

    def __repr__(self) -> str:
        return f"<Organization {self.id}>"


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", "email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(8), default="fr_CA")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped on deactivation, password change and "sign out everywhere": the sign-in sessions and the reset or
    # invitation links issued under an older value stop working.
    session_version: Mapped[int] = mapped_column(default=FIRST_SESSION_VERSION)

    organization: Mapped[Organization | None] = relationship()

    # The clear key of the sign-in session this object was loaded or signed in under (app/auth/session.py);
    # never stored. Flask-Login keeps it in the session cookie and the remember cookie.
    sign_in_key = None

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    @property
    def is_active(self) -> bool:  # used by Flask-Login
        return self.active

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def get_id(self) -> str:
        if not self.sign_in_key:
            raise RuntimeError("sign in through app.auth.session.sign_in, not login_user")
        return self.sign_in_key

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else DEFAULT_HASH_METHOD
        self.password_hash = generate_password_hash(password, method=method)
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)

    def deactivate(self) -> None:
        self.active = False
        self.end_all_sessions()

    def end_all_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def reactivate(self) -> None:
        self.active = True

    def has_role(self, role: Role) -> bool:
        return self.role.includes(role)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


def normalize_email(value: str) -> str:
    return value.strip().lower()


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountToken(Base):
    """A single-use, expiring link token. Only its SHA-256 digest is stored.

    It holds the user's ``session_version`` at issue: a password change (or deactivation, or "sign out
    everywhere") voids every link issued before it.
    """

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "purpose"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_version: Mapped[int]

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User, purpose: TokenPurpose, max_age: timedelta) -> tuple["AccountToken", str]:
        """Return the row and the clear token (256 bits), which is never stored."""
        clear = secrets.token_urlsafe(32)
        now = utcnow()
        token = cls(
            token_hash=hash_token(clear),
            purpose=purpose,
            user=user,
            created_at=now,
            expires_at=now + max_age,
            # A user not flushed yet has no value: the column default applies to it.
            session_version=user.session_version or FIRST_SESSION_VERSION,
        )
        return token, clear

    @property
    def is_expired(self) -> bool:
        return utcnow() >= self.expires_at

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_outdated(self) -> bool:
        """Issued before the account's password last changed (or its sessions were ended)."""
        return self.session_version != self.user.session_version


class SignInSession(Base):
    """One sign-in on one device. The browser holds a random key (in the session cookie and, with "keep me signed
    in", the remember cookie); only its SHA-256 is stored. Signing out revokes the row, so neither cookie works
    again; a row stops working too when it expires or when the user's ``session_version`` moves on."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<SignInSession {self.id} of user {self.user_id}>"
