import json
import logging

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth import bp
from app.auth.access import partner_required, public
from app.auth.accounts import (
    TokenError,
    TokenProblem,
    authenticate,
    check_token,
    redeem_token,
    request_password_reset,
)
from app.auth.forms import AccountForm, ChangePasswordForm, ChoosePasswordForm, ForgotPasswordForm, LoginForm
from app.auth.session import remembered, sign_in, sign_out, sign_out_everywhere
from app.compliance import audit
from app.compliance.privacy import export_user_data
from app.core.deferred import after_response
from app.core.extensions import limiter
from app.models import TokenPurpose
from app.web.urls import safe_next

logger = logging.getLogger(__name__)


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _submitted_email() -> str:
    return "account:" + request.form.get("email", "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
@limiter.limit(_login_rate_limit, methods=["POST"], key_func=_submitted_email)
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            sign_in(user, remember=form.remember.data)
            logger.info("User %s signed in", user.id)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
        # Same message whether the e-mail is unknown, the password wrong or the account inactive.
        form.password.errors.append(_("E-mail address or password is incorrect."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@partner_required
def logout():
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.post("/logout/everywhere")
@partner_required
def logout_everywhere():
    user = current_user._get_current_object()
    audit.record(user, "user.sign_out_everywhere", user)
    sign_out_everywhere(user)
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("main.index"))


TOKEN_PROBLEMS = {
    TokenProblem.INVALID: (
        _l("This link is not valid. Check that you copied it entirely, or ask for a new one."),
        404,
    ),
    TokenProblem.EXPIRED: (_l("This link has expired. Ask the person who sent it for a new one."), 410),
    TokenProblem.USED: (
        _l("This link has already been used. Sign in with your password, or ask for a new link."),
        410,
    ),
}


def _token_problem_page(problem: TokenProblem):
    message, status = TOKEN_PROBLEMS[problem]
    return render_template("auth/token_problem.html", message=message), status


def _choose_password(token: str, purpose: TokenPurpose, template: str):
    try:
        account_token = check_token(token, purpose)
    except TokenError as error:
        return _token_problem_page(error.problem)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = redeem_token(token, purpose, form.password.data)
        except TokenError as error:
            return _token_problem_page(error.problem)  # a 4xx: the boundary rolls back
        sign_in(user)
        flash(_("Your password is saved. Welcome!"), "success")
        return redirect(url_for("main.index"))
    return render_template(template, form=form, user=account_token.user)


@bp.route("/account/invitation/<token>", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
@public
def accept_invitation(token: str):
    return _choose_password(token, TokenPurpose.INVITATION, "auth/accept_invitation.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
@public
def reset_password(token: str):
    return _choose_password(token, TokenPurpose.PASSWORD_RESET, "auth/reset_password.html")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5/minute", methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Same answer, and the same work before it, for known and unknown addresses, so the form reveals no
        # account: the address is looked up once the response has left.
        after_response(request_password_reset, form.email.data)  # committed when it ends (app/core/deferred.py)
        flash(_("If an account uses this address, a reset link has been sent to it."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@partner_required
def account():
    form = AccountForm(obj=current_user if request.method == "GET" else None)
    password_form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        current_user.name = form.name.data.strip()
        current_user.locale = form.locale.data
        session["locale"] = form.locale.data
        audit.record(current_user, "user.update_account", current_user)
        flash(_("Your account is saved."), "success")
        return redirect(url_for(".account"))
    return render_template("auth/account.html", form=form, password_form=password_form)


@bp.post("/account/password")
@partner_required
def change_password():
    form = AccountForm(obj=current_user)
    password_form = ChangePasswordForm(prefix="pw")
    if password_form.validate_on_submit():
        if not current_user.check_password(password_form.current.data):
            password_form.current.errors.append(_("The current password is incorrect."))
        else:
            user = current_user._get_current_object()
            user.set_password(password_form.password.data)
            audit.record(user, "user.change_password", user)
            # The session version changed, which ends every session: this device gets a new one.
            sign_in(user, remember=remembered())
            flash(_("Your password is changed; your other sessions have ended."), "success")
            return redirect(url_for(".account"))
    return render_template("auth/account.html", form=form, password_form=password_form), 400


@bp.get("/account/data")
@partner_required
def download_my_data():
    document = json.dumps(export_user_data(current_user), ensure_ascii=False, indent=2)
    return Response(
        document,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=concerto-my-data.json"},
    )
