"""The respondent engine: which pages and questions a person sees, and the form of a page.

Plain functions over the survey models; no request, no database access (the models must be loaded).

**Values.** The answers of a response are a dict ``code → value`` (``None`` or absent: unanswered); each question's
type (app/questions/) makes its value (its form field), stores and reads it back, and says what conditions see of it
(its ``operand``). The built-in types:

==================  ==============================================================================
short/long text     ``str`` (trimmed, at most 5,000 characters)
single choice       the option's code (``"other"`` for "other, please specify", the text being in
                    ``values["<code>:other"]``)
multiple choice     list of codes, in the options' order (with ``"other"`` likewise)
yes/no              ``"yes"`` or ``"no"``
rating              ``int`` from 1 to the scale
numeric             ``Decimal``
date                ``datetime.date``
ranking             list of codes, the first ranked first (a partial ranking lists fewer)
matrix              dict row code → scale code
territory           the territory's code
e-mail              ``str`` (identified surveys only; stored apart from the answers)
note                nothing
==================  ==============================================================================

**Display conditions.** Pages, then questions, are considered in order; a page or question whose ``relevant``
condition is false is hidden, and a hidden question counts as unanswered for every later condition (the same
rule as ``app/static/js/conditions.js``). Conditions see *expression answers* (:func:`expression_value`, the
type's operand): dates as ISO text, numbers as numbers, a matrix and an e-mail as unanswered. An e-mail question is
asked only in an identified survey. Answers to hidden questions are discarded, never stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Form
from wtforms.validators import ValidationError

from app.builder.expressions import And, Expression, ExpressionError, is_true, parse, references, to_json
from app.models import Question, Survey, SurveyPage
from app.questions import question_type
from app.questions.fields import OTHER_SUFFIX, QuestionField
from app.respond.condition_words import answer_only_if
from app.web.i18n import localized

__all__ = [
    "PageForm",
    "PagePlan",
    "PlannedQuestion",
    "Visibility",
    "asks",
    "condition",
    "expression_value",
    "field_name",
    "is_relevant",
    "make_page_form",
    "missing_required",
    "next_page",
    "page_by_number",
    "plan",
    "previous_page",
    "prior_answers",
    "progress",
    "question_count",
    "values_from_json",
    "values_to_json",
    "visibility",
]

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------------- conditions


@lru_cache(maxsize=4096)
def condition(source: str | None) -> Expression | None:
    """The parsed condition, or ``None`` when there is none. A condition that does not parse (the builder refuses
    them, so only a damaged database has one) is ignored: the question is shown rather than made unreachable."""
    if not source or not source.strip():
        return None
    try:
        return parse(source)
    except ExpressionError:
        logger.warning("Ignoring a condition that does not parse: %r", source[:200])
        return None


def is_relevant(source: str | None, answers: Mapping[str, Any]) -> bool:
    expr = condition(source)
    return expr is None or is_true(expr, answers)


def asks(survey: Survey, question: Question) -> bool:
    """Whether the question is put to respondents at all (an e-mail only in identified surveys)."""
    return question_type(question).asked(survey)


def question_count(survey: Survey) -> int:
    """How many questions the respondents answer (text blocks and questions not asked are left out)."""
    return sum(
        1 for q in survey.questions if question_type(q).answerable and not question_type(q).computed and asks(survey, q)
    )


def expression_value(question: Question, value: Any) -> Any:
    """A value as display conditions (and conditions.js, through JSON) see it: its type's operand."""
    return question_type(question).operand(value)


# ------------------------------------------------------------------------------------------------- visibility


@dataclass
class Visibility:
    """What a respondent sees given the answers: the visible pages (in order), the visible questions (codes,
    notes included) and the expression answers as seen after the last page considered (hidden ones ``None``)."""

    pages: list[SurveyPage]
    questions: set[str]
    answers: dict[str, Any]

    def shows(self, page: SurveyPage) -> bool:
        return any(p is page for p in self.pages)


def visibility(survey: Survey, values: Mapping[str, Any], *, until: SurveyPage | None = None) -> Visibility:
    """Walk the survey in order; with ``until``, stop before that page (``answers`` is then what its conditions
    see: the "prior answers" of the page)."""
    answers: dict[str, Any] = {}
    pages: list[SurveyPage] = []
    codes: set[str] = set()
    for page in survey.pages:
        if page is until:
            break
        page_shown = is_relevant(page.relevant, answers)
        if page_shown:
            pages.append(page)
        for question in page.questions:
            shown = page_shown and asks(survey, question) and is_relevant(question.relevant, answers)
            if shown:
                codes.add(question.code)
            answers[question.code] = expression_value(question, values.get(question.code)) if shown else None
    return Visibility(pages, codes, answers)


def page_by_number(survey: Survey, number: Any) -> SurveyPage | None:
    """The page shown as number ``number`` (1-based position); ``None`` for anything else."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(survey.pages):
        return None
    return survey.pages[number - 1]


def next_page(seen: Visibility, page: SurveyPage) -> SurveyPage | None:
    """The first visible page after ``page``."""
    return next((p for p in seen.pages if p.position > page.position), None)


def previous_page(seen: Visibility, page: SurveyPage) -> SurveyPage | None:
    return next((p for p in reversed(seen.pages) if p.position < page.position), None)


def progress(survey: Survey, seen: Visibility, page: SurveyPage) -> tuple[int, int]:
    """("Page n of total"): ``page``'s number among the visible pages, and how many pages there are. A later page
    whose condition depends on answers not given yet (on this page or after) counts as to come: the total never
    grows as the respondent goes on; it shrinks when the answers skip a page."""
    number = next((i for i, p in enumerate(seen.pages, start=1) if p is page), 1)
    survey_pages = survey.pages
    open_codes = {q.code for p in survey_pages if p.position >= page.position for q in p.questions}
    total = 0
    for candidate in survey_pages:
        expr = condition(candidate.relevant)
        undecided = (
            candidate.position > page.position
            and expr is not None
            and any(name in open_codes for name, _position in references(expr))
        )
        if seen.shows(candidate) or undecided:
            total += 1
    return number, max(total, number)


def missing_required(survey: Survey, values: Mapping[str, Any], seen: Visibility) -> list[Question]:
    """Visible required questions without an answer, in order."""
    return [
        question
        for page in seen.pages
        for question in page.questions
        if question.code in seen.questions
        and question.required
        and not (question.settings or {}).get("read_only")  # shown, not asked
        and question_type(question).answerable
        and values.get(question.code) in (None, "", [], {})
    ]


# ------------------------------------------------------------------------------------------------------- forms


class Constraint:
    """The question's ``constraint`` (``.`` is the answer), checked on a present answer; bilingual message."""

    def __init__(self, question: Question, language: str) -> None:
        self.question = question
        self.message = localized(question, "constraint_message", language) or _l("This answer is not valid.")

    def __call__(self, form: PageForm, field: QuestionField) -> None:
        expr = condition(self.question.constraint)
        current = question_type(self.question).constraint_operand(field.data)
        if expr is None or current is None:
            return
        answers = {**form.running_answers, self.question.code: current}
        if not is_true(expr, answers, current):
            raise ValidationError(self.message)


def field_name(question: Question) -> str:
    return f"q_{question.code}"


class PageForm(Form):
    """The answers of one page (or of several, for paper entry on one long page).

    Build the class with :func:`make_page_form`; instantiate it with ``formdata`` (a submitted page) or without
    and then :meth:`load` stored values. :meth:`validate` applies the display conditions in order: hidden questions
    are neither validated nor kept. Afterwards ``values`` holds the visible answers (``"<code>:other"`` keys for the
    "other" texts), ``visible`` the visible questions' codes and ``answers`` the expression answers.
    """

    survey: Survey
    pages: list[SurveyPage]
    language: str

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.values: dict[str, Any] = {}
        self.visible: list[str] = []
        self.answers: dict[str, Any] = {}
        self.running_answers: dict[str, Any] = {}

    def question_field(self, question: Question) -> QuestionField | None:
        return self._fields.get(field_name(question))

    def question_fields(self) -> Iterable[QuestionField]:
        return (f for f in self._fields.values() if isinstance(f, QuestionField))

    def load(self, values: Mapping[str, Any]) -> None:
        """Show stored values; a question never answered (or read-only) shows its default (XLSForm's)."""
        for f in self.question_fields():
            value = values.get(f.code)
            if value is None or f.read_only:
                default = f.default_value()
                value = default if default is not None else value
            f.load(value, values.get(f.code + OTHER_SUFFIX))

    def validate(
        self,
        extra_validators: Any = None,
        *,
        prior: Mapping[str, Any] | None = None,
        enforce_required: bool = True,
    ) -> bool:
        """``prior``: the expression answers of the earlier pages; ``enforce_required=False`` accepts unanswered
        required questions (going back, switching language, saving for later, paper entry) but still refuses
        invalid answers."""
        answers = dict(prior or {})
        self.running_answers = answers
        self.values, self.visible = {}, []
        valid = True
        for page in self.pages:
            page_shown = is_relevant(page.relevant, answers)
            for question in page.questions:
                f = self.question_field(question)
                if f is None:
                    answers[question.code] = None
                    continue
                f.errors = []
                if not (page_shown and is_relevant(question.relevant, answers)):
                    answers[question.code] = None
                    continue
                self.visible.append(question.code)
                f.enforce_required = enforce_required
                if f.read_only:  # shown, not asked: its value is its default, whatever was sent
                    f.process_errors, f.data, f.enforce_required = [], f.default_value(), False
                if hasattr(f, "apply_filter"):  # a choice_filter: the options the answers so far allow
                    f.apply_filter(answers, final=True)
                if not f.validate(self):
                    valid = False
                answers[question.code] = expression_value(question, f.data)
                if f.data is not None and not f.errors:
                    self.values[question.code] = f.data
                    if getattr(f, "other_chosen", False):
                        self.values[question.code + OTHER_SUFFIX] = f.other_text
        self.answers = answers
        return valid

    @property
    def failing(self) -> list[QuestionField]:
        return [f for f in self.question_fields() if f.errors]


def make_page_form(
    survey: Survey,
    pages: Sequence[SurveyPage],
    *,
    language: str = "fr",
    territories: Sequence[Any] = (),
) -> type[PageForm]:
    """A form class with one field ``q_<code>`` per question of ``pages`` (Indico's make_survey_form).

    ``territories``: objects with ``code`` and ``name`` (the process's territories) for territory questions.
    """
    attrs: dict[str, Any] = {"survey": survey, "pages": list(pages), "language": language}
    for page in pages:
        for question in page.questions:
            if asks(survey, question):
                attrs[field_name(question)] = _unbound_field(question, language, territories)
    return type("PageForm", (PageForm,), attrs)


def _unbound_field(question: Question, language: str, territories: Sequence[Any]):
    return question_type(question).form_field(
        question, language=language, territories=territories, validators=[Constraint(question, language)]
    )


# ------------------------------------------------------------------------------------------------ render plan


@dataclass(frozen=True, slots=True)
class PlannedQuestion:
    question: Question
    field: QuestionField
    #: The display condition as conditions.js reads it (``data-relevant``), when it depends on answers given in
    #: this very form; ``None`` when the server already knows the question is shown.
    relevant_json: Any = None


@dataclass(slots=True)
class PagePlan:
    page: SurveyPage
    questions: list[PlannedQuestion] = field(default_factory=list)


def plan(form: PageForm, prior: Mapping[str, Any], *, single_page: bool = True) -> list[PagePlan]:
    """What to render: questions hidden by earlier pages' answers are left out; a condition that depends on this
    form's answers is handed to conditions.js (the page still works without JavaScript: everything is shown and
    the server decides). With ``single_page`` the pages' own conditions were already applied by the caller."""
    here = {question.code for page in form.pages for question in page.questions}
    plans = []
    for page in form.pages:
        page_expr = None if single_page else condition(page.relevant)
        page_local = page_expr is not None and _depends_on(page_expr, here)
        if page_expr is not None and not page_local and not is_true(page_expr, prior):
            continue
        page_plan = PagePlan(page)
        for question in page.questions:
            f = form.question_field(question)
            if f is None:
                continue
            expr = condition(question.relevant)
            local = expr is not None and _depends_on(expr, here)
            if expr is not None and not local and not is_true(expr, prior):
                continue
            # Without JavaScript the question is shown whatever the answers: it says when to answer it.
            f.when = answer_only_if(form.survey, question, expr, form.language) if local else None
            if hasattr(f, "apply_filter"):  # a choice_filter over earlier pages' answers
                f.apply_filter({**prior, **form.answers}, final=False)
            _render_texts(f, {**prior, **form.answers})
            parts = [e for e, keep in ((page_expr, page_local), (expr, local)) if keep]
            tree = None
            if parts:
                tree = to_json(parts[0] if len(parts) == 1 else And(parts[0], parts[1]))
            page_plan.questions.append(PlannedQuestion(question, f, tree))
        plans.append(page_plan)
    return plans


def _render_texts(f: QuestionField, answers: Mapping[str, Any]) -> None:
    """Markdown and ``${code}`` in the label and hint (app/questions/markup.py), when they hold any."""
    from app.questions.markup import needs_markup, render

    label = f.label.text
    if isinstance(label, str) and not hasattr(label, "__html__") and needs_markup(label):
        f.label.text = render(label, answers)
    if isinstance(f.hint, str) and not hasattr(f.hint, "__html__") and needs_markup(f.hint):
        f.hint = render(f.hint, answers)


def _depends_on(expr: Expression, codes: set[str]) -> bool:
    return any(name in codes for name, _position in references(expr))


def prior_answers(prior: Mapping[str, Any]) -> dict[str, Any]:
    """The ``#prior-answers`` JSON of conditions.js: earlier pages' answers, unanswered and hidden ones left out."""
    return {code: value for code, value in prior.items() if value is not None}


# ---------------------------------------------------------------------------------------------- JSON of values


def values_to_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as JSON (dates as ISO text, numbers as text), e.g. to carry a preview from page to page."""
    result: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, date):
            result[key] = value.isoformat()
        elif isinstance(value, Decimal):
            result[key] = str(value)
        else:
            result[key] = value
    return result


def values_from_json(survey: Survey, data: Any) -> dict[str, Any]:
    """The inverse of :func:`values_to_json`; anything that does not fit its question is dropped."""
    if not isinstance(data, dict):
        return {}
    result: dict[str, Any] = {}
    for question in survey.questions:
        value = data.get(question.code)
        if value is None:
            continue
        converted = question_type(question).value_from_json(value)
        if converted is not None:
            result[question.code] = converted
        other = data.get(question.code + OTHER_SUFFIX)
        if isinstance(other, str) and other:
            result[question.code + OTHER_SUFFIX] = other
    return result
