"""The questionnaire definition: the one place of truth for what a questionnaire is, as a JSON document.

The format (``"format": "concerto-questionnaire"``, ``"version": 1``) is documented in docs/QUESTIONNAIRE_FORMAT.md::

    {"format": "concerto-questionnaire", "version": 1,
     "survey": {"title": {"fr": "…", "en": "…"}, "anonymity": "anonymous", …},
     "pages": [{"title": {…}, "relevant": "", "questions": [
         {"code": "age", "type": "single_choice", "label": {"fr": "…", "en": "…"}, "required": true,
          "settings": {"display": "radios"}, "choices": [{"code": "0-2", "label": {"fr": "…", "en": "…"}}]}]}]}

- :func:`export_definition` turns a survey into that document;
- :func:`validate_definition` lists every problem of a document, each with its JSON path (``$.pages[0].questions[2]
  .relevant``) and, for expressions, the position of the fault;
- :func:`import_definition` creates a draft survey from a valid document, all or nothing.

The builder, the JSON and XLSForm imports, the templates of ``app/builder/catalog`` and the duplication of a survey
all go through these functions, so a questionnaire obeys the same rules wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Required, TypedDict, Unpack

from flask_babel import gettext as _

from app.builder.expressions import (
    Current,
    ExpressionError,
    Ref,
    Selected,
    Str,
    check_references,
    is_valid_name,
    iter_nodes,
    parse,
    references,
)
from app.core.errors import ProblemsFound
from app.models import Anonymity, Choice, ChoiceKind, Question, Survey, SurveyPage
from app.questions import find_type, question_type, registered_types
from app.questions.base import BaseQuestionType, SettingKind

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "DefinitionError",
    "DefinitionInvalid",
    "QuestionContext",
    "check_question",
    "export_definition",
    "import_definition",
    "normalize_definition",
    "validate_definition",
]

FORMAT = "concerto-questionnaire"
FORMAT_VERSION = 1

# Limits (a definition is data from outside: every size is bounded).
MAX_PAGES = 100
MAX_QUESTIONS = 1000  # real XLSForms hold hundreds of calculations besides their questions
MAX_CHOICES = 10_000  # a list of places read from an XLSForm (its choice_filter shows the few that apply)
MAX_DATA_ITEMS = 20_000  # texts of a setting holding data (the properties of a question's choices)
MAX_TITLE = 200
MAX_LABEL = 5000
MAX_CHOICE_LABEL = 500
MAX_LONG_TEXT = 20_000
MAX_EXPRESSION = 2000
MAX_CODE = 64
MAX_ANSWER_LENGTH = 5000  # longest text answer a question may allow

CHOICE_CODE_RE = re.compile(r"^\w[\w.\-()]*$")  # letters of any language (élémentaire), digits, _ . - ( )
# The codes of a single choice may hold spaces and signs too (XLSForms' "grau du roi - marais", "70+"): one answer
# is never split on spaces; no control character, no space at either end.
FREE_CODE_RE = re.compile(r"^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DISPLAYS = ("radios", "dropdown")
# Each question type says which settings it accepts (app/questions/: ``settings``, ``check_settings``).

#: Settings every asked question accepts: the message shown when a required answer is missing (XLSForm's
#: required_message), per language; the answer filled in beforehand (XLSForm's default, as its text: codes
#: separated by spaces for a multiple choice), and read_only (the value is shown, not asked, and stored).
COMMON_SETTINGS = {
    "required_message_fr": SettingKind.LABEL,
    "required_message_en": SettingKind.LABEL,
    "default": SettingKind.LABEL,
    "read_only": SettingKind.BOOL,
}
#: Settings every question accepts: its texts in languages other than French and English (an XLSForm's Spanish,
#: Arabic…), kept and written back by the XLSForm export but not shown: language code → {"label", "help",
#: "constraint_message", "required_message", "choice:<code>" → text}.
TRANSLATIONS_SETTING = {"translations": SettingKind.DATA}

_TOP_KEYS = {"format", "version", "survey", "pages"}
_SURVEY_KEYS = {
    "slug",
    "template",
    "title",
    "intro",
    "estimated_minutes",
    "privacy",
    "retention_days",
    "contact_email",
    "anonymity",
    "opens_at",
    "closes_at",
}
_PAGE_KEYS = {"title", "intro", "relevant", "questions"}
_QUESTION_KEYS = {
    "code",
    "type",
    "label",
    "help",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "settings",
    "choices",
    "rows",
}
_CHOICE_KEYS = {"code", "label"}


@dataclass(frozen=True)
class DefinitionError:
    """One problem of a definition: where (a JSON path such as ``$.pages[0].questions[2].relevant``) and what.

    ``position`` is the 0-based offset of the fault inside an expression, when the problem is in one.
    """

    path: str
    message: str
    position: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DefinitionInvalid(ProblemsFound):
    """Raised by :func:`import_definition` for a refused document (its ``errors``); nothing was created."""

    problems: list[DefinitionError]

    @property
    def errors(self) -> list[DefinitionError]:
        return self.problems


@dataclass
class QuestionContext:
    """What a question's checks need to know about the rest of the questionnaire."""

    known: set[str] = field(default_factory=set)  # every question code of the questionnaire
    earlier: list[str] = field(default_factory=list)  # codes of the questions before this one, in order
    notes: set[str] = field(default_factory=set)  # codes of text blocks (no answer)
    choice_codes: dict[str, set[str]] = field(default_factory=dict)  # question code → its option codes
    anonymity: str = Anonymity.ANONYMOUS.value
    types_seen: set[str] = field(default_factory=set)  # the types of the other questions considered so far


class _Checker:
    def __init__(self) -> None:
        self.errors: list[DefinitionError] = []

    def error(self, path: str, message: str, position: int | None = None) -> None:
        self.errors.append(DefinitionError(path, message, position))

    # -- scalar readers: each returns a normalized value (or a default) and records what is wrong --------------

    def keys(self, obj: Mapping, allowed: set[str], path: str) -> None:
        for key in obj:
            if key not in allowed:
                self.error(
                    _join(path, str(key)),
                    _(
                        "Unknown field “%(key)s”; the fields here are: %(keys)s.",
                        key=key,
                        keys=", ".join(sorted(allowed)),
                    ),
                )

    def objects(
        self, items: list, path: str, allowed: set[str], message: str
    ) -> Iterator[tuple[int, str, Mapping[str, Any]]]:
        """The items of a list that are objects, as (index, path, object), their fields checked against ``allowed``;
        ``message`` at every other item."""
        for index, item in enumerate(items):
            item_path = _join(path, index)
            if not isinstance(item, Mapping):
                self.error(item_path, message)
                continue
            self.keys(item, allowed, item_path)
            yield index, item_path, item

    def text(self, value: Any, path: str, *, max_length: int, required: bool = False, one_line: bool = False) -> dict:
        """A per-language text: ``{"fr": "…", "en": "…"}`` (a plain string counts as French)."""
        result = {"fr": "", "en": ""}
        if value is None:
            value = {}
        if isinstance(value, str):
            value = {"fr": value}
        if not isinstance(value, Mapping):
            self.error(path, _('Expected an object with French and English texts, e.g. {"fr": "…", "en": "…"}.'))
            return result
        for key, text in value.items():
            if key not in result:
                self.error(_join(path, str(key)), _("Unknown language “%(key)s”: use “fr” and “en”.", key=key))
                continue
            if text is None:
                continue
            if not isinstance(text, str):
                self.error(_join(path, key), _("Expected a text."))
                continue
            text = text.strip()
            if len(text) > max_length:
                self.error(_join(path, key), _("Too long: at most %(max)d characters.", max=max_length))
                continue
            if one_line and ("\n" in text or "\r" in text):
                self.error(_join(path, key), _("This text must fit on one line."))
                continue
            result[key] = text
        if required and not result["fr"]:
            self.error(_join(path, "fr"), _("The French text is required."))
        return result

    def data(self, value: Any, path: str) -> dict | None:
        """A JSON object whose values are texts, objects of texts or lists of such objects, e.g. choice code → its
        properties (a list when the code is listed under several parents); at most MAX_DATA_ITEMS texts in all."""
        if value is None or value == {}:
            return None
        if not isinstance(value, Mapping):
            self.error(path, _("Expected an object."))
            return None
        count, result = 0, {}
        for key, item in value.items():
            rows = item if isinstance(item, list) else [item]
            for row in rows:
                inner = row if isinstance(row, Mapping) else {"": row}
                for text in inner.values():
                    count += 1
                    if not isinstance(text, str) or len(text) > MAX_CHOICE_LABEL:
                        self.error(_join(path, str(key)), _("Expected texts of at most %(max)d characters.", max=500))
                        return None
            result[str(key)] = (
                [dict(r) if isinstance(r, Mapping) else r for r in rows]
                if isinstance(item, list)
                else (dict(item) if isinstance(item, Mapping) else item)
            )
        if count > MAX_DATA_ITEMS:
            self.error(path, _("Too many values: at most %(max)d.", max=MAX_DATA_ITEMS))
            return None
        return result

    def string(self, value: Any, path: str, *, max_length: int) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(path, _("Expected a text."))
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.error(path, _("Too long: at most %(max)d characters.", max=max_length))
            return ""
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(path, _("Expected true or false."))
            return False
        return value

    def integer(self, value: Any, path: str, *, minimum: int, maximum: int) -> int | None:
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, _("Expected a whole number."))
            return None
        if not minimum <= value <= maximum:
            self.error(path, _("Expected a number from %(min)d to %(max)d.", min=minimum, max=maximum))
            return None
        return value

    def number(self, value: Any, path: str) -> int | float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.error(path, _("Expected a number."))
            return None
        if abs(value) >= 1e12:
            self.error(path, _("This number is too large."))
            return None
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def date(self, value: Any, path: str) -> str | None:
        if value is None or value == "":
            return None
        parsed = _from_iso(dt.date, value, lengths=range(10, 11))
        if parsed is None:
            self.error(path, _("Expected a date written YYYY-MM-DD."))
            return None
        return parsed.isoformat()

    def timestamp(self, value: Any, path: str) -> dt.datetime | None:
        if value is None or value == "":
            return None
        moment = _from_iso(dt.datetime, value, lengths=range(41))
        if moment is None:
            self.error(path, _("Expected a date and time such as 2025-03-01T09:00:00-05:00."))
            return None
        if moment.tzinfo is None:
            self.error(path, _("Give the time zone, e.g. 2025-03-01T09:00:00-05:00."))
            return None
        return moment.astimezone(dt.UTC)

    def expression(self, source: Any, path: str, **rules: Any) -> str:
        """A ``relevant`` or ``constraint`` expression, parsed and checked against the questions it may use."""
        source = self.string(source, path, max_length=MAX_EXPRESSION)
        if not source:
            return ""
        problem = expression_problem(source, **rules)
        if problem is not None:
            self.error(path, problem[0], problem[1])
        return source


def _join(path: str, key: str | int) -> str:
    return f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}"


def _from_iso(kind: Any, value: Any, *, lengths: range) -> Any:
    """``kind.fromisoformat(value)`` (a date or a date and time) for a text whose length is in ``lengths``, or None."""
    if not isinstance(value, str) or len(value) not in lengths:
        return None
    try:
        return kind.fromisoformat(value)
    except ValueError:
        return None


class ReferenceRules(TypedDict, total=False):
    """Which questions an expression may use: the keyword arguments of :func:`check_references` (``known`` and
    ``allowed`` required, ``current`` and ``allow_self`` optional)."""

    known: Required[Iterable[str]]
    allowed: Required[Iterable[str]]
    current: str | None
    allow_self: bool


def expression_problem(
    source: str,
    *,
    notes: Iterable[str] = (),
    choice_codes: Mapping[str, set[str]] | None = None,
    **rules: Unpack[ReferenceRules],
) -> tuple[str, int] | None:
    """What is wrong with an expression, as (message, 0-based position), or None when it is fine: its syntax, the
    questions it uses (``rules``), the text blocks it uses (``notes``: they have no answer) and the choices it tests
    with ``selected()`` (``choice_codes``: question code → its choice codes).

    The message always says at which character the fault is.
    """
    current = rules.get("current")
    try:
        expr = parse(source)
    except ExpressionError as exc:
        return str(exc.message), max(exc.position, 0)
    try:
        check_references(expr, **rules)
    except ExpressionError as exc:
        message = str(exc.message)
        if source.startswith("${", exc.position):  # reference messages do not say where they are
            message = _("%(message)s (character %(char)d)", message=message.rstrip("."), char=exc.position + 1)
        return message, max(exc.position, 0)
    notes = set(notes)
    for name, position in references(expr):
        if name in notes and name != current:
            return (
                _(
                    "“%(name)s” is a text block, it has no answer (character %(char)d).",
                    name=name,
                    char=position + 1,
                ),
                position,
            )
    for node in iter_nodes(expr):
        if isinstance(node, Selected) and isinstance(node.value, Ref | Current) and isinstance(node.choice, Str):
            name = current if isinstance(node.value, Current) else node.value.name
            codes = (choice_codes or {}).get(name or "")
            if codes is not None and node.choice.value not in codes:
                return (
                    _(
                        "“%(code)s” is not a choice of the question “%(name)s” (character %(char)d).",
                        code=node.choice.value,
                        name=name,
                        char=node.choice.position + 1,
                    ),
                    node.choice.position,
                )
    return None


# ------------------------------------------------------------------------------------------------------ validate


def validate_definition(data: Any) -> list[DefinitionError]:
    """Every problem of the document, in document order (an empty list: the document can be imported)."""
    return _validate(data)[0]


def normalize_definition(data: Any) -> dict:
    """The document with defaults filled in and texts trimmed; raise :class:`DefinitionInvalid` if it has problems."""
    errors, normalized = _validate(data)
    if errors:
        raise DefinitionInvalid(errors)
    return normalized


def _nul_errors(data: Any) -> list[DefinitionError]:
    """Every text (value or field name) of the document holding a NUL character, which no database column takes
    (PostgreSQL refuses it): reported first, with its place, and nothing else is checked. Iterative, so a deeply
    nested document cannot exhaust the stack."""
    errors: list[DefinitionError] = []
    pending: list[tuple[str, Any]] = [("$", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                errors.append(
                    DefinitionError(path, _("This text contains an invisible NUL character, which is not allowed."))
                )
        elif isinstance(value, Mapping):
            if any("\x00" in str(key) for key in value):
                errors.append(
                    DefinitionError(
                        path, _("A field name here contains an invisible NUL character, which is not allowed.")
                    )
                )
            named = ((str(key).replace("\x00", "\\0"), item) for key, item in value.items())
            pending.extend((_join(path, key), item) for key, item in reversed(list(named)))
        elif isinstance(value, list):
            pending.extend((_join(path, index), item) for index, item in reversed(list(enumerate(value))))
    return errors


def _validate(data: Any) -> tuple[list[DefinitionError], dict]:
    check = _Checker()
    if not isinstance(data, Mapping):
        check.error("$", _("A questionnaire definition is a JSON object."))
        return check.errors, {}
    nul = _nul_errors(data)
    if nul:
        return nul, {}
    if data.get("format") != FORMAT:
        check.error(
            "$.format", _("This is not a Concerto questionnaire: “format” must be “%(format)s”.", format=FORMAT)
        )
        return check.errors, {}
    version = data.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            message = _("This file uses version %(version)s of the format, made by a newer Concerto.", version=version)
        else:
            message = _("Unknown format version: this Concerto reads version %(version)d.", version=FORMAT_VERSION)
        check.error("$.version", message)
        return check.errors, {}
    check.keys(data, _TOP_KEYS, "$")
    survey = _validate_survey(check, data.get("survey"))
    pages_data = data.get("pages", [])
    if not isinstance(pages_data, list):
        check.error("$.pages", _("Expected a list of pages."))
        pages_data = []
    if len(pages_data) > MAX_PAGES:
        check.error("$.pages", _("Too many pages: at most %(max)d.", max=MAX_PAGES))
        pages_data = []

    # First pass: the codes, in questionnaire order, so that expressions can be checked against them.
    order: list[tuple[str, Any]] = []  # (path, question data)
    count = 0
    for p, page in enumerate(pages_data):
        questions = page.get("questions", []) if isinstance(page, Mapping) else []
        if isinstance(questions, list):
            count += len(questions)
            order.extend((f"$.pages[{p}].questions[{i}]", q) for i, q in enumerate(questions))
    if count > MAX_QUESTIONS:
        check.error("$.pages", _("Too many questions: at most %(max)d.", max=MAX_QUESTIONS))
        return check.errors, {}
    codes = [q.get("code") if isinstance(q, Mapping) else None for _path, q in order]
    context = QuestionContext(
        known={c for c in codes if isinstance(c, str)},
        notes={
            q["code"]
            for _p, q in order
            if isinstance(q, Mapping) and _without_answer(q.get("type")) and isinstance(q.get("code"), str)
        },
        choice_codes=_choice_codes(q for _p, q in order),
        anonymity=survey.get("anonymity", Anonymity.ANONYMOUS.value),
    )

    first_path: dict[str, str] = {}
    pages: list[dict] = []
    for _index, path, page in check.objects(pages_data, "$.pages", _PAGE_KEYS, _("Expected an object for the page.")):
        normalized_page = {
            "title": check.text(page.get("title"), f"{path}.title", max_length=MAX_TITLE, one_line=True),
            "intro": check.text(page.get("intro"), f"{path}.intro", max_length=MAX_LONG_TEXT),
            "relevant": check.expression(
                page.get("relevant"),
                f"{path}.relevant",
                known=context.known,
                allowed=list(context.earlier),
                current=None,
                allow_self=False,
                notes=context.notes,
                choice_codes=context.choice_codes,
            ),
            "questions": [],
        }
        questions = page.get("questions", [])
        if not isinstance(questions, list):
            check.error(f"{path}.questions", _("Expected a list of questions."))
            questions = []
        for i, question in enumerate(questions):
            qpath = f"{path}.questions[{i}]"
            errors, normalized = check_question(question, context)
            check.errors.extend(DefinitionError(_prefix(qpath, e.path), e.message, e.position) for e in errors)
            code = normalized.get("code")
            if code:
                if code in first_path:
                    check.error(
                        f"{qpath}.code",
                        _("The code “%(code)s” is already used by %(path)s.", code=code, path=first_path[code]),
                    )
                else:
                    first_path[code] = qpath
                context.earlier.append(code)
            if normalized.get("type"):
                context.types_seen.add(normalized["type"])
            normalized_page["questions"].append(normalized)
        pages.append(normalized_page)
    return check.errors, {"format": FORMAT, "version": FORMAT_VERSION, "survey": survey, "pages": pages}


def _prefix(base: str, relative: str) -> str:
    if relative == "$":
        return base
    return base + relative[1:] if relative.startswith("$") else f"{base}.{relative}"


def _without_answer(key: Any) -> bool:
    qtype = find_type(key)
    return qtype is not None and not qtype.answerable


def _choice_codes(questions: Iterable[Any]) -> dict[str, set[str]]:
    """Question code → the codes ``selected()`` may test (its type says which)."""
    result: dict[str, set[str]] = {}
    for q in questions:
        if not isinstance(q, Mapping) or not isinstance(q.get("code"), str):
            continue
        qtype = find_type(q.get("type"))
        if qtype is None:
            continue
        choices = q.get("choices") if isinstance(q.get("choices"), list) else []
        codes = qtype.selectable_codes(
            c["code"] for c in choices if isinstance(c, Mapping) and isinstance(c.get("code"), str)
        )
        if codes is not None:
            result[q["code"]] = codes
    return result


def _validate_survey(check: _Checker, survey: Any) -> dict:
    path = "$.survey"
    if not isinstance(survey, Mapping):
        check.error(path, _("Expected an object describing the survey (title, anonymity…)."))
        survey = {}
    check.keys(survey, _SURVEY_KEYS, path)
    result: dict[str, Any] = {
        "slug": check.string(survey.get("slug"), f"{path}.slug", max_length=80) or None,
        "template": check.string(survey.get("template"), f"{path}.template", max_length=64) or None,
        "title": check.text(survey.get("title"), f"{path}.title", max_length=MAX_TITLE, required=True, one_line=True),
        "intro": check.text(survey.get("intro"), f"{path}.intro", max_length=MAX_LONG_TEXT),
        "estimated_minutes": check.integer(
            survey.get("estimated_minutes"), f"{path}.estimated_minutes", minimum=1, maximum=600
        ),
        "privacy": check.text(survey.get("privacy"), f"{path}.privacy", max_length=MAX_LONG_TEXT),
        "retention_days": check.integer(
            survey.get("retention_days"), f"{path}.retention_days", minimum=1, maximum=36500
        ),
        "contact_email": check.string(survey.get("contact_email"), f"{path}.contact_email", max_length=254) or None,
        "anonymity": Anonymity.ANONYMOUS.value,
        "opens_at": None,
        "closes_at": None,
    }
    if result["slug"] and not SLUG_RE.fullmatch(result["slug"]):
        check.error(f"{path}.slug", _("Lowercase letters, digits and hyphens only, e.g. besoins-parents."))
        result["slug"] = None
    if result["contact_email"] and not EMAIL_RE.fullmatch(result["contact_email"]):
        check.error(f"{path}.contact_email", _("This is not an e-mail address."))
    anonymity = survey.get("anonymity", Anonymity.ANONYMOUS.value)
    if isinstance(anonymity, str) and anonymity in {a.value for a in Anonymity}:
        result["anonymity"] = anonymity
    else:
        check.error(
            f"{path}.anonymity",
            _("Unknown anonymity “%(value)s”: use anonymous, confidential or identified.", value=anonymity),
        )
    opens = check.timestamp(survey.get("opens_at"), f"{path}.opens_at")
    closes = check.timestamp(survey.get("closes_at"), f"{path}.closes_at")
    if opens and closes and closes <= opens:
        check.error(f"{path}.closes_at", _("The closing date must come after the opening date."))
    result["opens_at"] = opens.isoformat() if opens else None
    result["closes_at"] = closes.isoformat() if closes else None
    return result


def check_question(question: Any, context: QuestionContext) -> tuple[list[DefinitionError], dict]:
    """Check one question against the rest of the questionnaire; paths are relative (``$.label.fr``).

    Return the problems and the normalized question.
    """
    check = _Checker()
    if not isinstance(question, Mapping):
        check.error("$", _("Expected an object for the question."))
        return check.errors, {}
    check.keys(question, _QUESTION_KEYS, "$")
    code = question.get("code")
    if not isinstance(code, str) or not code.strip():
        check.error("$.code", _("Each question needs a code (its name in conditions and exports), e.g. age_enfant."))
        code = ""
    elif len(code) > MAX_CODE or not is_valid_name(code):
        check.error(
            "$.code",
            _(
                "“%(code)s” is not a valid code: start with a letter or “_”, then letters, digits, “_”, “-” or “.” "
                "(at most %(max)d characters).",
                code=code[:80],
                max=MAX_CODE,
            ),
        )
        code = ""
    raw_type = question.get("type")
    qtype = find_type(raw_type)
    if qtype is None:
        check.error(
            "$.type",
            _(
                "Unknown question type “%(type)s”; the types are: %(types)s.",
                type=str(raw_type)[:80],
                types=", ".join(str(t.key) for t in registered_types()),
            ),
        )
    result: dict[str, Any] = {
        "code": code,
        "type": str(qtype.key) if qtype else None,
        "label": check.text(question.get("label"), "$.label", max_length=MAX_LABEL, required=True),
        "help": check.text(question.get("help"), "$.help", max_length=MAX_LABEL),
        "required": check.boolean(question.get("required"), "$.required"),
        "relevant": check.expression(
            question.get("relevant"),
            "$.relevant",
            known=context.known,
            allowed=list(context.earlier),
            current=code or None,
            allow_self=False,
            notes=context.notes,
            choice_codes=context.choice_codes,
        ),
        "constraint": check.expression(
            question.get("constraint"),
            "$.constraint",
            known=context.known | ({code} if code else set()),
            allowed=[*context.earlier, *([code] if code else [])],
            current=code or None,
            allow_self=True,
            notes=context.notes,
            choice_codes=context.choice_codes,
        ),
        "constraint_message": check.text(question.get("constraint_message"), "$.constraint_message", max_length=1000),
        "settings": {},
    }
    if qtype is None:
        return check.errors, result
    choices = _check_choices(check, qtype, question.get("choices"), "$.choices", ChoiceKind.OPTION)
    rows = _check_choices(check, qtype, question.get("rows"), "$.rows", ChoiceKind.ROW)
    if qtype.has_choices:
        result["choices"] = choices
    if qtype.has_rows:
        result["rows"] = rows
    result["settings"] = _check_settings(check, qtype, question.get("settings"), len(choices))
    qtype.check_question(check, result, context)
    return check.errors, result


def _check_choices(check: _Checker, qtype: BaseQuestionType, value: Any, path: str, kind: ChoiceKind) -> list[dict]:
    wanted = qtype.has_choices if kind is ChoiceKind.OPTION else qtype.has_rows
    if value is None:
        value = []
    if not isinstance(value, list):
        check.error(path, _("Expected a list of choices."))
        return []
    if not wanted:
        if value:
            if kind is ChoiceKind.OPTION:
                check.error(path, _("A question of this type has no choices to list."))
            else:
                check.error(path, _("Only a matrix question has rows."))
        return []
    if len(value) > MAX_CHOICES:
        check.error(path, _("Too many choices: at most %(max)d.", max=MAX_CHOICES))
        return []
    result, seen = [], {}
    for i, cpath, choice in check.objects(value, path, _CHOICE_KEYS, _("Expected an object with a code and a label.")):
        code = choice.get("code")
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code)
        pattern = FREE_CODE_RE if qtype.free_codes and kind is ChoiceKind.OPTION else CHOICE_CODE_RE
        if not isinstance(code, str) or not pattern.fullmatch(code) or len(code) > MAX_CODE:
            check.error(
                f"{cpath}.code",
                _(
                    "“%(code)s” is not a valid choice code: letters, digits, “_”, “-”, “.” and brackets only, no "
                    "spaces (at most %(max)d characters).",
                    code=str(code)[:80],
                    max=MAX_CODE,
                ),
            )
            code = None
        elif code in seen:
            check.error(f"{cpath}.code", _("The code “%(code)s” appears twice in this list.", code=code))
        else:
            seen[code] = i
        label = check.text(
            choice.get("label"), f"{cpath}.label", max_length=MAX_CHOICE_LABEL, required=True, one_line=True
        )
        result.append({"code": code, "label": label})
    if kind is ChoiceKind.OPTION:
        minimum = qtype.min_choices
        if len(value) < minimum:
            check.error(path, _("Give at least %(min)d choices.", min=minimum))
    elif not value:
        check.error(path, _("A matrix question needs at least one row."))
    return result


def _check_settings(check: _Checker, qtype: BaseQuestionType, value: Any, choice_count: int) -> dict:
    path = "$.settings"
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        check.error(path, _("Expected an object of settings."))
        return {}
    spec = {
        **qtype.settings,
        **(COMMON_SETTINGS if qtype.answerable and not qtype.computed else {}),
        **TRANSLATIONS_SETTING,
    }
    result: dict[str, Any] = {}
    for key, raw in value.items():
        kpath = f"{path}.{key}"
        kind = spec.get(key)
        if kind is None:
            if spec:
                message = _(
                    "Unknown setting “%(key)s” for this type; its settings are: %(keys)s.",
                    key=key,
                    keys=", ".join(spec),
                )
            else:
                message = _("A question of this type has no settings (found “%(key)s”).", key=key)
            check.error(kpath, message)
            continue
        if kind is SettingKind.INT:
            parsed = check.integer(raw, kpath, minimum=0, maximum=MAX_ANSWER_LENGTH)
        elif kind is SettingKind.BOOL:
            parsed = check.boolean(raw, kpath)
        elif kind is SettingKind.NUMBER:
            parsed = check.number(raw, kpath)
        elif kind is SettingKind.DATE:
            parsed = check.date(raw, kpath)
        elif kind is SettingKind.LABEL:
            parsed = check.string(raw, kpath, max_length=MAX_TITLE)
        elif kind is SettingKind.EXPRESSION:
            parsed = check.string(raw, kpath, max_length=MAX_EXPRESSION)
        elif kind is SettingKind.DATA:
            parsed = check.data(raw, kpath)
        else:  # display
            parsed = raw
            if raw is not None and raw not in DISPLAYS:
                check.error(kpath, _("Use “radios” or “dropdown”."))
                parsed = None
        if parsed is not None and parsed != "" and parsed is not False:
            result[key] = parsed
    qtype.check_settings(check, result, choice_count)
    return dict(sorted(result.items()))


# -------------------------------------------------------------------------------------------------------- export


def _pair(obj: Any, name: str) -> dict[str, str]:
    return {"fr": getattr(obj, f"{name}_fr") or "", "en": getattr(obj, f"{name}_en") or ""}


def question_to_dict(question: Question) -> dict:
    return question_type(question).to_definition(question)


def export_definition(survey: Survey) -> dict:
    """The survey as a definition document (status, responses and invitations are not part of it)."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "survey": {
            "slug": survey.slug,
            "template": survey.template_key,
            "title": _pair(survey, "title"),
            "intro": _pair(survey, "intro"),
            "estimated_minutes": survey.estimated_minutes,
            "privacy": _pair(survey, "privacy"),
            "retention_days": survey.retention_days,
            "contact_email": survey.contact_email,
            "anonymity": survey.anonymity.value,
            "opens_at": survey.opens_at.isoformat() if survey.opens_at else None,
            "closes_at": survey.closes_at.isoformat() if survey.closes_at else None,
        },
        "pages": [
            {
                "title": _pair(page, "title"),
                "intro": _pair(page, "intro"),
                "relevant": page.relevant or "",
                "questions": [question_to_dict(q) for q in page.questions],
            }
            for page in survey.pages
        ],
    }


# -------------------------------------------------------------------------------------------------------- import


def import_definition(
    data: Any, process: Any, actor: Any, *, slug: str | None = None, audit_action: str = "survey.import"
) -> Survey:
    """Create a draft survey in ``process`` from a definition; raise :class:`DefinitionInvalid` and create nothing
    when the document has any problem. The survey keeps the document's slug when it is free, else gets a new one.
    The caller commits."""
    from app.builder.slugs import slug_is_free, unique_slug
    from app.compliance import audit
    from app.core.extensions import db

    normalized = normalize_definition(data)
    meta = normalized["survey"]
    if slug is None:
        wanted = meta["slug"]
        slug = wanted if wanted and slug_is_free(wanted) else unique_slug(wanted or meta["title"]["fr"])
    survey = Survey(
        process=process,
        slug=slug,
        template_key=meta["template"],
        anonymity=Anonymity(meta["anonymity"]),
        estimated_minutes=meta["estimated_minutes"],
        retention_days=meta["retention_days"],
        contact_email=meta["contact_email"],
        opens_at=dt.datetime.fromisoformat(meta["opens_at"]) if meta["opens_at"] else None,
        closes_at=dt.datetime.fromisoformat(meta["closes_at"]) if meta["closes_at"] else None,
        created_by_id=getattr(actor, "id", None),
        **_columns(meta, "title", "intro", "privacy"),
    )
    for page_position, page_data in enumerate(normalized["pages"]):
        page = SurveyPage(
            position=page_position, relevant=page_data["relevant"], **_columns(page_data, "title", "intro")
        )
        survey.pages.append(page)
        for position, q in enumerate(page_data["questions"]):
            page.questions.append(build_question(survey, q, position))
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, audit_action, survey, slug=survey.slug, questions=len(survey.questions))
    return survey


def build_question(survey: Survey, q: dict, position: int) -> Question:
    """A new Question (with its choices) from a normalized question dict."""
    question = Question(
        survey=survey,
        position=position,
        code=q["code"],
        type=q["type"],
        required=q["required"],
        relevant=q["relevant"],
        constraint=q["constraint"],
        settings=dict(q["settings"]),
        **_columns(q, "label", "help", "constraint_message"),
    )
    for kind, key in ((ChoiceKind.OPTION, "choices"), (ChoiceKind.ROW, "rows")):
        for i, choice in enumerate(q.get(key, [])):
            question.all_choices.append(Choice(kind=kind, position=i, code=choice["code"], **_columns(choice, "label")))
    return question


def _columns(data: Mapping, *names: str) -> dict[str, str]:
    return {f"{name}_{lang}": data[name][lang] for name in names for lang in ("fr", "en")}
