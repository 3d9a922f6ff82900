"""Facilitators' views of a survey's questions: choosing a type, the question form with its condition editor,
deleting a question, moving it (up or down, or onto a new page) and moving its choices (operations.py)."""

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.access import facilitator_required
from app.builder import bp, condition_editor, queries
from app.builder.definition import MAX_ANSWER_LENGTH
from app.builder.forms import (
    MoveForm,
    QuestionForm,
    QuestionTypeForm,
    question_data,
    question_form,
    question_form_data,
    shown_fields,
)
from app.builder.operations import (
    BuilderError,
    delete_question,
    has_responses,
    move_choice,
    move_question,
    move_question_to_new_page,
    question_has_answers,
    same_page_references,
    save_question,
)
from app.builder.paper_version import condition_in_words, numbering
from app.builder.views.common import move_button, page_or_404, question_or_404, survey_button
from app.core.extensions import db
from app.models import Choice, Question, Survey, SurveyPage
from app.questions import find_type, question_type
from app.web.forms import attempt, populate_errors
from app.web.i18n import current_language

bp.add_app_template_global(same_page_references)  # templates/builder/_same_page_condition.html


@bp.route("/surveys/<int:survey_id>/pages/<int:page_id>/questions/new", methods=["GET", "POST"])
@facilitator_required
def new_question(survey_id: int, page_id: int):
    survey, page = page_or_404(survey_id, page_id)
    chosen = request.values.get("type", "")
    qtype = find_type(chosen)
    if qtype is None:
        type_form = QuestionTypeForm(request.args)
        if chosen:
            type_form.type.errors = [_("Choose one of the listed types.")]
        return render_template("builder/question_type.html", survey=survey, page=page, form=type_form)
    form = question_form(data={"type": chosen, "code": queries.next_code(survey)} if request.method == "GET" else None)
    if condition_editor.requested(request.form):
        return _condition_step(form, survey, page, None, find_type(form.type.data) or qtype)
    if form.validate_on_submit():
        question = _save_question_form(form, survey, page, None)
        if question is not None:
            flash(_("Question “%(code)s” added.", code=question.code), "success")
            return redirect(url_for(".show_survey", survey_id=survey.id, _anchor=f"question-{question.id}"))
    return _question_page(form, survey, page, None, find_type(form.type.data) or qtype)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@facilitator_required
def edit_question(survey_id: int, question_id: int):
    survey, question = question_or_404(survey_id, question_id)
    form = question_form(data=question_form_data(question) if request.method == "GET" else None)
    if condition_editor.requested(request.form):
        return _condition_step(
            form, survey, question.page, question, find_type(form.type.data) or question_type(question)
        )
    if form.validate_on_submit():
        saved = _save_question_form(form, survey, question.page, question)
        if saved is not None:
            flash(_("Question “%(code)s” saved.", code=saved.code), "success")
            return redirect(url_for(".show_survey", survey_id=survey.id, _anchor=f"question-{saved.id}"))
        survey, question = question_or_404(survey_id, question_id)
    return _question_page(form, survey, question.page, question, find_type(form.type.data) or question_type(question))


def _save_question_form(form: QuestionForm, survey: Survey, page: SurveyPage, question: Question | None):
    data, line_problems = question_data(form)
    if line_problems:
        populate_errors(form, BuilderError.from_problems(line_problems))
        return None
    # The same code saved at the same moment by someone else: the unique constraint says so.
    message = _("Another question of this survey already uses the code “%(code)s”.", code=data["code"])
    with attempt(form, conflict=BuilderError(message, "code")) as done:
        saved = save_question(survey, page, question, data)
    return saved if done else None


def _condition_step(form: QuestionForm, survey: Survey, page: SurveyPage, question: Question | None, qtype):
    """The condition editor's button: the same page, its condition text completed (nothing saved), or the reason."""
    editor = condition_editor.Editor(
        condition_editor.earlier_questions(survey, page, question),
        chosen={name: request.form.get(name, "") for name in condition_editor.FIELDS},
    )
    with attempt(quiet=True) as done:
        form.relevant.data = condition_editor.add_clause(
            editor.questions, form.relevant.data or "", request.form, current_language()
        )
    if not done:
        editor.error, editor.error_field = done.error.message, done.error.field
    return _question_page(form, survey, page, question, qtype, editor), (200 if done else 400)


def _question_page(
    form: QuestionForm,
    survey: Survey,
    page: SurveyPage,
    question: Question | None,
    qtype,
    editor: condition_editor.Editor | None = None,
):
    editor = editor or condition_editor.Editor(condition_editor.earlier_questions(survey, page, question))
    editor.words = condition_in_words(form.relevant.data or "", numbering(survey, current_language()))
    return render_template(
        "builder/question_form.html",
        survey=survey,
        page=page,
        question=question,
        form=form,
        qtype=qtype,
        shown=shown_fields(qtype),
        answered=has_responses(survey),
        question_answered=question is not None and question_has_answers(question),
        move_form=MoveForm(),
        max_answer_length=MAX_ANSWER_LENGTH,
        condition_editor=editor,
    )


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@facilitator_required
def remove_question(survey_id: int, question_id: int):
    survey, question = question_or_404(survey_id, question_id)
    deleted = _("Question “%(code)s” deleted.", code=question.code)
    return survey_button(survey_id, lambda: delete_question(survey, question), success=deleted)


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/move")
@facilitator_required
def reorder_question(survey_id: int, question_id: int):
    survey, question = question_or_404(survey_id, question_id)
    moved = _("Question moved.")
    return move_button(partial(move_question, survey, question), moved, f"question-{question_id}", survey_id=survey_id)


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/new-page")
@facilitator_required
def move_question_to_page(survey_id: int, question_id: int):
    """A question whose condition reads its own page goes onto a new page after it (issue 16)."""
    survey, question = question_or_404(survey_id, question_id)
    moved = _("Question moved to a new page.")
    return survey_button(
        survey_id, partial(move_question_to_new_page, survey, question), f"question-{question_id}", success=moved
    )


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/move")
@facilitator_required
def reorder_choice(survey_id: int, question_id: int, choice_id: int):
    survey, question = question_or_404(survey_id, question_id)
    choice = db.get_or_404(Choice, choice_id)
    if choice.question_id != question.id:
        abort(404)
    return move_button(
        partial(move_choice, question, choice),
        _("Choice moved."),
        f"choice-{choice_id}",
        ".edit_question",
        survey_id=survey.id,
        question_id=question.id,
    )
