from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.admin import bp
from app.admin.forms import (
    ChangeRoleForm,
    InviteUserForm,
    OrganizationForm,
    TerritoryForm,
)
from app.admin.operations import (
    change_role,
    deactivate_user,
    invite_user,
    reactivate_user,
    save_organization,
    save_territory,
    send_invitation,
)
from app.auth.access import admin_required
from app.core.extensions import db
from app.models import (
    AuditLog,
    Organization,
    Process,
    Role,
    Sector,
    Territory,
    User,
)
from app.web.fields import EmptyForm, choices
from app.web.forms import attempt, button, form_action
from app.web.urls import page_arg

PER_PAGE = 50


def _territory_choices() -> list[tuple[int, str]]:
    territories = db.session.execute(db.select(Territory).order_by(Territory.name)).scalars()
    return choices([(0, _("— None —")), *((t.id, t.name) for t in territories)])


@bp.get("/")
@admin_required
def dashboard():
    counts = {
        "users": db.session.scalar(db.select(db.func.count(User.id))),
        "organizations": db.session.scalar(db.select(db.func.count(Organization.id))),
        "territories": db.session.scalar(db.select(db.func.count(Territory.id))),
        "processes": db.session.scalar(db.select(db.func.count(Process.id))),
    }
    return render_template("admin/dashboard.html", counts=counts)


# --- Users -------------------------------------------------------------------


@bp.get("/users")
@admin_required
def list_users():
    query = db.select(User).options(db.joinedload(User.organization)).order_by(User.name)
    search = request.args.get("q", "").strip()
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(db.or_(db.func.lower(User.name).like(pattern), User.email.like(pattern)))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    page = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, search=search, role=role, roles=list(Role))


@bp.route("/users/invite", methods=["GET", "POST"])
@admin_required
def invite():
    form = InviteUserForm()
    organizations = db.session.execute(db.select(Organization).order_by(Organization.name)).scalars()
    form.organization_id.choices = choices([(0, _("— None —")), *((o.id, o.name) for o in organizations)])
    if form.validate_on_submit():
        organization = db.session.get(Organization, form.organization_id.data) if form.organization_id.data else None
        with attempt(form) as done:
            user, _link = invite_user(
                current_user, form.email.data, form.name.data, Role(form.role.data), organization, form.locale.data
            )
        if done:
            flash(_("Invitation sent to %(name)s.", name=user.name), "success")
            return redirect(url_for(".show_user", user_id=user.id))
    return render_template("admin/invite.html", form=form)


@bp.get("/users/<int:user_id>")
@admin_required
def show_user(user_id: int):
    user = db.get_or_404(User, user_id)
    role_form = ChangeRoleForm(role=user.role.value)
    history = db.session.execute(
        db.select(AuditLog)
        .where(AuditLog.object_type == "users", AuditLog.object_id == str(user.id))
        .order_by(AuditLog.created_at.desc())
        .limit(20)
    ).scalars()
    return render_template("admin/user.html", user=user, role_form=role_form, form=EmptyForm(), history=history)


def _user_action(user_id: int, action, success: str, **form):
    """A button of the account's page: ``action(admin, user)``; ``form``: the button's form and what to say when it
    is not valid (see app.web.forms.button)."""
    user = db.get_or_404(User, user_id)
    button(lambda: action(current_user, user), success=success, **form)
    return redirect(url_for(".show_user", user_id=user.id))


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_user_role(user_id: int):
    form = ChangeRoleForm()
    return _user_action(
        user_id,
        lambda admin, user: change_role(admin, user, Role(form.role.data)),
        _("Role changed."),
        form=form,
        otherwise=_("Choose one of the listed roles."),
    )


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int):
    return _user_action(user_id, deactivate_user, _("Account deactivated; its sessions have ended."))


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate(user_id: int):
    return _user_action(user_id, reactivate_user, _("Account reactivated."))


@bp.post("/users/<int:user_id>/invitation")
@admin_required
def resend_invitation(user_id: int):
    return _user_action(
        user_id, send_invitation, _("A new invitation link was sent; the previous one no longer works.")
    )


# --- Organizations -------------------------------------------------------------


@bp.get("/organizations")
@admin_required
def list_organizations():
    organizations = db.session.execute(
        db.select(Organization).options(db.joinedload(Organization.territory)).order_by(Organization.name)
    ).scalars()
    return render_template("admin/organizations.html", organizations=organizations)


@bp.route("/organizations/new", methods=["GET", "POST"], defaults={"organization_id": None})
@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_organization(organization_id: int | None):
    org = db.get_or_404(Organization, organization_id) if organization_id else Organization()
    form = OrganizationForm(
        obj=org if request.method == "GET" else None,
        sector=org.sector.value if org.sector else Sector.COMMUNITY.value,
        territory_id=org.territory_id or 0,
    )
    form.territory_id.choices = _territory_choices()
    if form.validate_on_submit():
        territory = db.session.get(Territory, form.territory_id.data) if form.territory_id.data else None
        with attempt(form, success=_("Organization saved.")) as done:
            save_organization(
                current_user, org, name=form.name.data, sector=Sector(form.sector.data), territory=territory
            )
        if done:
            return redirect(url_for(".list_organizations"))
    return render_template("admin/organization_form.html", form=form, organization=org)


# --- Territories ---------------------------------------------------------------


@bp.get("/territories")
@admin_required
def list_territories():
    territories = db.session.execute(db.select(Territory).order_by(Territory.name)).scalars()
    return render_template("admin/territories.html", territories=territories)


@bp.route("/territories/new", methods=["GET", "POST"], defaults={"territory_id": None})
@bp.route("/territories/<int:territory_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_territory(territory_id: int | None):
    territory = db.get_or_404(Territory, territory_id) if territory_id else Territory()
    form = TerritoryForm(obj=territory if request.method == "GET" else None)

    def save() -> None:
        code, name = form.code.data.strip(), form.name.data.strip()
        save_territory(current_user, territory, code=code, name=name, population_target=form.population_target.data)

    if form_action(form, save, success=_("Territory saved.")):
        return redirect(url_for(".list_territories"))
    return render_template("admin/territory_form.html", form=form, territory=territory)


# --- Audit log -------------------------------------------------------------------


@bp.get("/audit")
@admin_required
def audit_log():
    query = db.select(AuditLog).options(db.joinedload(AuditLog.actor)).order_by(AuditLog.id.desc())
    page = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/audit.html", page=page)


# --- Privacy requests (Law 25) -----------------------------------------------------


@bp.route("/privacy", methods=["GET", "POST"])
@admin_required
def privacy():
    """Find everything tied to an e-mail address, to answer an access or erasure request (Law 25)."""
    from app.admin.forms import EraseRespondentForm, RespondentSearchForm
    from app.compliance.privacy_requests import find, new_request_id, record_search

    form = RespondentSearchForm()
    findings = None
    erase_form = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            findings = find(form.email.data)
            request_id = new_request_id()
            record_search(current_user, findings, request_id)
            erase_form = EraseRespondentForm(formdata=None, email=form.email.data, request_id=request_id)
        else:
            status = 400
    return render_template("admin/privacy.html", form=form, findings=findings, erase_form=erase_form), status


@bp.post("/privacy/erase")
@admin_required
def erase_respondent():
    from app.admin.forms import EraseRespondentForm
    from app.compliance.privacy_requests import REQUEST_ID_RE, erase, new_request_id

    form = EraseRespondentForm()
    if not form.validate_on_submit():
        flash(_("Give the e-mail address of the respondent."), "error")
        return redirect(url_for(".privacy"))
    request_id = form.request_id.data if REQUEST_ID_RE.fullmatch(form.request_id.data or "") else new_request_id()
    erased = erase(form.email.data, current_user, request_id)
    pieces = [
        ngettext("%(num)d response", "%(num)d responses", erased["responses"]),
        ngettext("%(num)d invitation link", "%(num)d invitation links", erased["invitations"]),
        ngettext("%(num)d account invitation", "%(num)d account invitations", erased["accounts"]),
    ]
    redacted = ngettext("%(num)d text redacted", "%(num)d texts redacted", erased["texts"])
    flash(
        _(
            "Erased: %(erased)s; %(redacted)s (request %(request)s).",
            erased=", ".join(pieces),
            redacted=redacted,
            request=request_id,
        ),
        "success",
    )
    return redirect(url_for(".privacy"))
