"""Administration operations. Each records an audit entry; the caller commits."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.accounts import create_user, mail_link
from app.compliance import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.models import Organization, Role, Territory, TokenPurpose, User


class AdminError(DomainError):
    """A refused administration action; the message is shown to the admin, next to ``field`` when given."""


def invite_user(
    actor: User, email: str, name: str, role: Role, organization: Organization | None, locale: str
) -> tuple[User, str]:
    user = create_user(email, name, role, organization=organization, locale=locale, actor=actor)
    link = send_invitation(actor, user)
    return user, link


def send_invitation(actor: User, user: User) -> str:
    if user.has_password:
        raise AdminError(_("This person has already chosen a password."))
    link = mail_link(
        user, TokenPurpose.INVITATION, "auth.accept_invitation", _l("Invitation to Concerto"), inviter=actor
    )
    audit.record(actor, "user.invite", user)
    return link


def change_role(actor: User, user: User, role: Role) -> None:
    if user.id == actor.id and role is not Role.ADMIN:
        raise AdminError(_("You cannot remove your own administrator role."))
    if user.role is role:
        return
    audit.record(actor, "user.change_role", user, old=user.role.value, new=role.value)
    user.role = role


def deactivate_user(actor: User, user: User) -> None:
    if user.id == actor.id:
        raise AdminError(_("You cannot deactivate your own account."))
    user.deactivate()
    audit.record(actor, "user.deactivate", user)


def reactivate_user(actor: User, user: User) -> None:
    user.reactivate()
    audit.record(actor, "user.reactivate", user)


def save_organization(actor: User, org: Organization, *, name: str, sector, territory: Territory | None) -> None:
    _ensure_unique(Organization, "name", name, org.id, _("An organization already has this name."))
    org.name, org.sector, org.territory = name, sector, territory
    db.session.add(org)
    db.session.flush()
    audit.record(actor, "organization.save", org, name=name, sector=str(sector))


def save_territory(actor: User, territory: Territory, *, code: str, name: str, population_target: int | None) -> None:
    _ensure_unique(Territory, "code", code, territory.id, _("A territory already has this code."))
    _ensure_unique(Territory, "name", name, territory.id, _("A territory already has this name."))
    territory.code, territory.name, territory.population_target = code, name, population_target
    db.session.add(territory)
    db.session.flush()
    audit.record(actor, "territory.save", territory, code=code, target=population_target)


def _ensure_unique(model, column: str, value, own_id: int | None, message: str) -> None:
    query = db.select(model.id).where(getattr(model, column) == value)
    if own_id is not None:
        query = query.where(model.id != own_id)
    if db.session.execute(query).first() is not None:
        raise AdminError(message, field=column)
