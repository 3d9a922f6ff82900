from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.auth.access import public
from app.core.extensions import db
from app.main import bp
from app.models import Process, ProcessStatus, Role
from app.web.urls import safe_next


@bp.get("/")
@public
def index():
    query = db.select(Process).order_by(Process.created_at.desc())
    if not (current_user.is_authenticated and current_user.has_role(Role.FACILITATOR)):
        query = query.where(Process.status != ProcessStatus.DRAFT)
    processes = db.session.execute(query).scalars().all()
    return render_template("main/index.html", processes=processes)


@bp.post("/language")
@public
def set_language():
    """Remember the chosen language for this browser (and the account, when signed in)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))
