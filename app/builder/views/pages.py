"""Facilitators' views of a survey's pages: adding one, its titles, introduction and condition, deleting it and
moving it up or down (operations.py)."""

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.access import facilitator_required
from app.builder import bp
from app.builder.forms import PageForm
from app.builder.operations import add_page, delete_page, move_page, save_page
from app.builder.views.common import move_button, page_or_404, survey_button, survey_or_404
from app.web.forms import attempt, submitted


@bp.post("/surveys/<int:survey_id>/pages")
@facilitator_required
def new_page(survey_id: int):
    survey = survey_or_404(survey_id)
    if not submitted():
        return redirect(url_for(".show_survey", survey_id=survey.id))
    page = add_page(survey)
    flash(_("Page %(number)d added.", number=page.position + 1), "success")
    return redirect(url_for(".edit_page", survey_id=survey.id, page_id=page.id))


@bp.route("/surveys/<int:survey_id>/pages/<int:page_id>", methods=["GET", "POST"])
@facilitator_required
def edit_page(survey_id: int, page_id: int):
    survey, page = page_or_404(survey_id, page_id)
    form = PageForm(obj=page if request.method == "GET" else None)
    if form.validate_on_submit():
        fields = {
            name: getattr(form, name).data or ""
            for name in ("title_fr", "title_en", "intro_fr", "intro_en", "relevant")
        }
        with attempt(form, success=_("Page saved.")) as done:
            save_page(survey, page, fields)
        if done:
            return redirect(url_for(".show_survey", survey_id=survey.id, _anchor=f"page-{page.id}"))
    return render_template("builder/page_form.html", survey=survey, page=page, form=form)


@bp.post("/surveys/<int:survey_id>/pages/<int:page_id>/delete")
@facilitator_required
def remove_page(survey_id: int, page_id: int):
    survey, page = page_or_404(survey_id, page_id)
    return survey_button(survey_id, lambda: delete_page(survey, page), success=_("Page deleted, with its questions."))


@bp.post("/surveys/<int:survey_id>/pages/<int:page_id>/move")
@facilitator_required
def reorder_page(survey_id: int, page_id: int):
    survey, page = page_or_404(survey_id, page_id)
    return move_button(partial(move_page, survey, page), _("Page moved."), f"page-{page_id}", survey_id=survey_id)
