"""The paper version of a questionnaire: question numbers and display conditions written in words.

``${enfants} = 'oui'`` becomes « Si vous avez répondu « Oui » à la question 3 » (in the language being printed:
call these functions inside ``flask_babel.force_locale``).
"""

from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.builder.expressions import (
    And,
    Compare,
    CountSelected,
    Current,
    Expression,
    ExpressionError,
    Not,
    Num,
    Or,
    Ref,
    Selected,
    Str,
    parse,
)
from app.models import Survey
from app.questions import question_type
from app.questions.base import BaseQuestionType


@dataclass
class QuestionInfo:
    number: int | None  # None for a text block
    qtype: BaseQuestionType  # its template prints the question's answer area (macro ``paper``)
    choices: dict[str, str] = field(default_factory=dict)  # answer code → label in the printed language


def numbering(survey: Survey, language: str) -> dict[str, QuestionInfo]:
    """Each question code → its printed number (answerable questions only, from 1) and its answers' labels."""
    infos, number = {}, 0
    for question in survey.ordered_questions():
        qtype = question_type(question)
        if qtype.answerable:
            number += 1
        infos[question.code] = QuestionInfo(
            number if qtype.answerable else None, qtype, qtype.choice_labels(question, language)
        )
    return infos


def _quote(text: str) -> str:
    return _("“%(text)s”", text=text)


def _number_text(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else format_decimal(value)


class _Describer:
    def __init__(self, questions: dict[str, QuestionInfo]) -> None:
        self.questions = questions

    def number(self, name: str) -> str:
        info = self.questions.get(name)
        return str(info.number) if info and info.number else name

    def answer_label(self, name: str, value: Expression) -> str:
        info = self.questions.get(name)
        if isinstance(value, Str):
            text = info.choices.get(value.value, value.value) if info else value.value
            return _quote(text)
        if isinstance(value, Num):
            return _number_text(value.value)
        return self.operand(value)

    def operand(self, node: Expression) -> str:
        match node:
            case Ref(name):
                return _("your answer to question %(number)s", number=self.number(name))
            case CountSelected(Ref(name)):
                return _("the number of boxes ticked at question %(number)s", number=self.number(name))
            case Num(value):
                return _number_text(value)
            case Str(value):
                return _quote(value)
            case Current():
                return _("the answer")
        raise ValueError(node)

    def clause(self, node: Expression) -> str:
        match node:
            case And(left, right):
                return _("%(left)s and %(right)s", left=self.clause(left), right=self.clause(right))
            case Or(left, right):
                return _("%(left)s or %(right)s", left=self.clause(left), right=self.clause(right))
            case Not(Selected(Ref(name), Str(_code)) as inner):
                return _(
                    "you did not tick %(choice)s at question %(number)s",
                    choice=self.answer_label(name, inner.choice),
                    number=self.number(name),
                )
            case Not(operand):
                return _("it is not the case that %(clause)s", clause=self.clause(operand))
            case Selected(Ref(name), choice):
                return _(
                    "you ticked %(choice)s at question %(number)s",
                    choice=self.answer_label(name, choice),
                    number=self.number(name),
                )
            case Compare(op, left, right):
                return self.comparison(op, left, right)
            case Ref(name):
                return _("you answered question %(number)s", number=self.number(name))
        raise ValueError(node)

    def comparison(self, op: str, left: Expression, right: Expression) -> str:
        flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
        if isinstance(left, Str | Num) and isinstance(right, Ref | CountSelected):
            left, right, op = right, left, flipped[op]
        if isinstance(left, Ref) and isinstance(right, Str | Num):
            name = left.name
            info = self.questions.get(name)
            empty = isinstance(right, Str) and right.value == ""
            if op == "=" and empty:
                return _("you did not answer question %(number)s", number=self.number(name))
            if op == "!=" and empty:
                return _("you answered question %(number)s", number=self.number(name))
            if op in {"=", "!="} and info and (info.choices or isinstance(right, Str)):
                answer = self.answer_label(name, right)
                if op == "=":
                    return _("you answered %(answer)s to question %(number)s", answer=answer, number=self.number(name))
                return _(
                    "you did not answer %(answer)s to question %(number)s", answer=answer, number=self.number(name)
                )
        words = {
            "=": _("%(left)s is %(right)s"),
            "!=": _("%(left)s is not %(right)s"),
            "<": _("%(left)s is less than %(right)s"),
            "<=": _("%(left)s is at most %(right)s"),
            ">": _("%(left)s is more than %(right)s"),
            ">=": _("%(left)s is at least %(right)s"),
        }
        return words[op] % {"left": self.operand(left), "right": self.operand(right)}


def condition_in_words(source: str, questions: dict[str, QuestionInfo]) -> str:
    """« Si vous avez répondu « Oui » à la question 3 » for a display condition; the expression itself when it
    cannot be put into words."""
    if not source.strip():
        return ""
    try:
        clause = _Describer(questions).clause(parse(source))
    except (ExpressionError, ValueError):
        return _("If this condition holds: %(expression)s", expression=source)
    return _("If %(condition)s", condition=clause)
