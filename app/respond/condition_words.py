"""A display condition said in words, for the respondent who reads the page without JavaScript (issue 16).

Without JavaScript, a question whose condition depends on an answer given on the same page is shown anyway (the
server decides when the page is sent); it then says when to answer it: "Répondez seulement si vous avez répondu
Oui à la question précédente." The common shapes of conditions are put into words — an answer equal to a value,
a choice selected or not, an answer given or not, a number compared, and their ``and`` / ``or`` — with the labels
of the questions and of their options in the page's language; anything else gets a general sentence.

Plain functions over the survey models (loaded); the words come from the catalog in the current locale.
"""

from __future__ import annotations

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _

from app.builder.expressions import And, Compare, CountSelected, Expression, Not, Num, Or, Ref, Selected, Str
from app.models import Question, Survey
from app.questions.yes_no import YES_NO
from app.web.i18n import localized

__all__ = ["answer_only_if"]

_LABEL_LENGTH = 80


class _Unsaid(Exception):
    """A part of the condition that has no plain wording."""


def answer_only_if(survey: Survey, question: Question, expr: Expression, language: str) -> str:
    """The sentence shown with ``question``: when to answer it, and whether an answer is then required."""
    words = _Words(survey, question, language)
    try:
        sentence = _("Answer only if %(condition)s.", condition=words.say(expr))
    except _Unsaid:
        sentence = _("Answer only if it applies to you, given your answers above.")
    if question.required:
        sentence += " " + _("An answer is then required.")
    return sentence


class _Words:
    def __init__(self, survey: Survey, question: Question, language: str) -> None:
        self.language = language
        self.questions = {q.code: q for q in survey.questions}
        ordered = list(survey.questions)
        index = next((i for i, q in enumerate(ordered) if q is question), 0)
        self.previous = ordered[index - 1] if index > 0 else None
        self.locale = str(get_locale() or "fr_CA")

    # The whole condition -----------------------------------------------------------------------------------------
    def say(self, expr: Expression) -> str:
        match expr:
            case Or():
                chosen = self._same_question_choices(expr)
                if chosen:
                    ref, codes = chosen
                    return _(
                        "you chose %(answers)s for %(question)s",
                        answers=self._answers(ref, codes, style="or"),
                        question=self._where(ref),
                    )
                return _("%(first)s or %(second)s", first=self.say(expr.left), second=self.say(expr.right))
            case And():
                return _("%(first)s and %(second)s", first=self.say(expr.left), second=self.say(expr.right))
            case Not(operand=Selected(value=Ref(name=name), choice=Str(value=code))):
                return _(
                    "you did not choose %(answers)s for %(question)s",
                    answers=self._answers(name, [code]),
                    question=self._where(name),
                )
            case Selected(value=Ref(name=name), choice=Str(value=code)):
                return _(
                    "you chose %(answers)s for %(question)s",
                    answers=self._answers(name, [code]),
                    question=self._where(name),
                )
            case Compare(op=op, left=CountSelected(value=Ref(name=name)), right=Num(value=0)) if op in (">", "!="):
                return _("you chose at least one answer for %(question)s", question=self._where(name))
            case Compare(op=op, left=Ref(name=name), right=Str(value=value)) if op in ("=", "!="):
                return self._equals(name, value, negated=op == "!=")
            case Compare(op=op, left=Str(value=value), right=Ref(name=name)) if op in ("=", "!="):
                return self._equals(name, value, negated=op == "!=")
            case Compare(op=op, left=Ref(name=name), right=Num(value=number)):
                return self._number(name, op, number)
        raise _Unsaid

    # Parts -------------------------------------------------------------------------------------------------------
    def _equals(self, name: str, value: str, *, negated: bool) -> str:
        if value == "":
            text = _("you did not answer %(question)s") if not negated else _("you answered %(question)s")
            return text % {"question": self._where(name)}
        if negated:
            return _(
                "you did not answer %(answer)s to %(question)s",
                answer=self._answer(name, value),
                question=self._where(name),
            )
        return _(
            "you answered %(answer)s to %(question)s", answer=self._answer(name, value), question=self._where(name)
        )

    def _number(self, name: str, op: str, number: float) -> str:
        texts = {
            ">": _("your answer to %(question)s is more than %(number)s"),
            ">=": _("your answer to %(question)s is %(number)s or more"),
            "<": _("your answer to %(question)s is less than %(number)s"),
            "<=": _("your answer to %(question)s is %(number)s or less"),
            "=": _("your answer to %(question)s is %(number)s"),
            "!=": _("your answer to %(question)s is not %(number)s"),
        }
        shown = str(int(number)) if float(number).is_integer() else str(number)
        return texts[op] % {"question": self._where(name), "number": shown}

    def _same_question_choices(self, expr: Expression) -> tuple[str, list[str]] | None:
        """``selected(${q}, 'a') or selected(${q}, 'b') …`` (or ``${q} = 'a' or …``) on one question."""
        parts, stack = [], [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, Or):
                stack.extend((node.right, node.left))
            else:
                parts.append(node)
        names, codes = set(), []
        for part in parts:
            match part:
                case (
                    Selected(value=Ref(name=name), choice=Str(value=code))
                    | Compare(op="=", left=Ref(name=name), right=Str(value=code))
                ) if code:
                    names.add(name)
                    codes.append(code)
                case _:
                    return None
        return (names.pop(), codes) if len(names) == 1 else None

    def _question(self, name: str) -> Question:
        question = self.questions.get(name)
        if question is None:
            raise _Unsaid
        return question

    def _where(self, name: str) -> str:
        question = self._question(name)
        if question is self.previous:
            return _("the previous question")
        label = " ".join(localized(question, "label", self.language).split())
        if len(label) > _LABEL_LENGTH:
            label = label[: _LABEL_LENGTH - 1].rstrip() + "…"
        return _("the question “%(label)s”", label=label)

    def _answer(self, name: str, code: str) -> str:
        question = self._question(name)
        if question.type == "yes_no" and code in ("yes", "no"):
            return YES_NO["en" if self.language == "en" else "fr"][0 if code == "yes" else 1]
        choice = next((c for c in question.choices if c.code == code), None)
        text = localized(choice, "label", self.language) if choice is not None else code
        return _("“%(text)s”", text=text)

    def _answers(self, name: str, codes: list[str], style: str = "standard") -> str:
        return format_list([self._answer(name, code) for code in codes], style=style, locale=self.locale)
