"""The point-and-click condition editor of the question page: a question, an operator, a value and "and"/"or" make
one clause of the display-condition language (app/builder/expressions.py), added to the text of the condition,
which stays editable by hand. Works without JavaScript: the question form is posted with the editor's button and
comes back with the condition text completed (nothing is saved until "Save").

Values are matched with the chosen question's answers by code or by label, case and accents aside ("oui" is the
yes/no question's ``yes``); numbers are written as numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l

from app.builder.expressions import ExpressionError, Or, parse
from app.core.errors import DomainError
from app.core.text import comparison_key
from app.models import Question, Survey, SurveyPage
from app.questions import question_type
from app.web.i18n import localized

BUTTON = "add_condition"
FIELDS = ("condition_question", "condition_operator", "condition_value", "condition_join")
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
OPERATORS: tuple[tuple[str, Any], ...] = (
    ("=", _l("is")),
    ("!=", _l("is not")),
    ("<", _l("is less than")),
    ("<=", _l("is at most")),
    (">", _l("is more than")),
    (">=", _l("is at least")),
    ("selected", _l("has this choice ticked")),
    ("answered", _l("is answered")),
    ("unanswered", _l("is not answered")),
)
JOINS: tuple[tuple[str, Any], ...] = (("and", _l("and (both must hold)")), ("or", _l("or (either is enough)")))
NUMBER_TYPES = frozenset({"numeric", "rating"})


class ConditionEditorError(DomainError):
    """What the editor cannot write; ``field`` names the editor's field."""


@dataclass
class Editor:
    """What the editor block shows: the questions a condition may use (earlier, answerable), the chosen values,
    the refusal if any, and the condition in words."""

    questions: list[Question]
    chosen: dict[str, str] = field(default_factory=dict)
    error: Any = None
    error_field: str | None = None
    words: str = ""
    operators: Sequence[tuple[str, Any]] = OPERATORS
    joins: Sequence[tuple[str, Any]] = JOINS


def earlier_questions(survey: Survey, page: SurveyPage, question: Question | None) -> list[Question]:
    """The answerable questions before ``question`` (a new one: at the end of ``page``), in survey order."""
    earlier = []
    for other_page in survey.pages:
        for other in other_page.questions:
            if other is question:
                return earlier
            if question_type(other).answerable:
                earlier.append(other)
        if question is None and other_page is page:
            break
    return earlier


def requested(form: Mapping[str, Any]) -> bool:
    return BUTTON in form


def _literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    raise ConditionEditorError(_l("A value cannot hold both kinds of quotes."), "condition_value")


def _number(text: str) -> str | None:
    try:
        value = float(text.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return str(int(value)) if value.is_integer() else repr(value)


def clause(question: Question, operator: str, value: str, language: str = "fr") -> str:
    """One clause about ``question``'s answer; raises :class:`ConditionEditorError`."""
    ref = f"${{{question.code}}}"
    value = " ".join((value or "").split())
    if operator == "answered":
        return f"{ref} != ''"
    if operator == "unanswered":
        return f"{ref} = ''"
    if operator not in (*COMPARISONS, "selected"):
        raise ConditionEditorError(_l("Choose how the answer is compared."), "condition_operator")
    if not value:
        raise ConditionEditorError(_l("Give the value to compare the answer with."), "condition_value")
    qtype = question_type(question)
    choices = qtype.choice_labels(question, language)
    if operator == "selected" and not choices:
        raise ConditionEditorError(_l("Only a question with choices has choices to tick."), "condition_operator")
    if choices and operator in ("=", "!=", "selected"):
        key = comparison_key(value)
        code = next(
            (code for code, label in choices.items() if key in (comparison_key(code), comparison_key(label))), None
        )
        if code is None:
            raise ConditionEditorError(
                _l(
                    "“%(value)s” is not an answer of the question “%(code)s”: %(answers)s.",
                    value=value,
                    code=question.code,
                    answers=", ".join(choices.values()),
                ),
                "condition_value",
            )
        if operator == "selected":
            return f"selected({ref}, {_literal(code)})"
        return f"{ref} {operator} {_literal(code)}"
    number = _number(value)
    ordering = operator in ("<", "<=", ">", ">=")
    if ordering and number is None and str(question.type) != "date":
        raise ConditionEditorError(_l("To compare, give a number (for example 18)."), "condition_value")
    if number is not None and (ordering or str(question.type) in NUMBER_TYPES):
        return f"{ref} {operator} {number}"
    return f"{ref} {operator} {_literal(value)}"


def combine(existing: str, new_clause: str, join: str) -> str:
    """``existing`` and ``new_clause`` joined by ``join``; an "or" condition gets parentheses before an "and"."""
    existing = existing.strip()
    if not existing:
        return new_clause
    if join not in ("and", "or"):
        raise ConditionEditorError(_l("Choose “and” or “or” to add to the condition."), "condition_join")
    try:
        tree = parse(existing)
    except ExpressionError as error:
        raise ConditionEditorError(
            _l("Fix the condition typed by hand first: %(problem)s", problem=str(error)), "relevant"
        ) from error
    if join == "and" and isinstance(tree, Or):
        existing = f"({existing})"
    return f"{existing} {join} {new_clause}"


def add_clause(questions: Sequence[Question], existing: str, posted: Mapping[str, str], language: str = "fr") -> str:
    """The condition text with the clause the editor describes added; raises :class:`ConditionEditorError`."""
    code = (posted.get("condition_question") or "").strip()
    question = next((q for q in questions if q.code == code), None)
    if question is None:
        raise ConditionEditorError(_l("Choose the question the display depends on."), "condition_question")
    new_clause = clause(question, posted.get("condition_operator", ""), posted.get("condition_value", ""), language)
    return combine(existing, new_clause, posted.get("condition_join") or "and")


def question_label(question: Question) -> str:
    return f"{question.code} — {localized(question, 'label')}"
