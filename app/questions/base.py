"""The contract of a question type: :class:`BaseQuestionType`, and the small records it exchanges with the rest of
the application.

A question type is one class (one module under ``app/questions/``) plus one template
(``templates/questions/<key>.html``, or one its base class names: the formatted types share
``formatted.html``). The class says everything the application needs to know about questions of
that type, wherever it needs it:

==========================  ======================================================================================
definition (JSON, builder)  ``settings`` (the settings it accepts and their kind), :meth:`check_settings`,
                            :meth:`check_question`, :meth:`selectable_codes`, :meth:`to_definition`
XLSForm import              ``xlsform_types``, :meth:`accepts_xlsform`, :meth:`from_xlsform`
builder form                ``settings_fields`` (WTForms fields), :meth:`settings_from_form`,
                            :meth:`settings_form_data`; template macro ``settings``
respondent                  :meth:`asked`, :meth:`form_field` (its WTForms field, which validates); template macro
                            ``answer``
conditions                  :meth:`operand` (what ``${code}`` is in an expression), :meth:`constraint_operand`
                            (what ``.`` is in its own constraint), :meth:`value_from_json`
storage                     :meth:`answer_rows` (value → Answer columns), :meth:`read_value` (Answer rows → value);
                            ``stored_apart`` types keep their answer elsewhere (:meth:`save_apart`)
results                     ``figures`` (the shared SQL passes it needs), :meth:`summarize`, :meth:`chart`,
                            :meth:`categories` and :meth:`category_column` (cross-tabulation); template macro
                            ``results``
paper version               :meth:`choice_labels` (conditions in words); template macro ``paper``
exports                     :meth:`export_columns` (CSV and XLSX), :meth:`export_value` (JSON),
                            :meth:`codebook_rows`
moderation                  :meth:`moderated`
synthetic responses         :meth:`synthetic_value`
==========================  ======================================================================================

Types are stateless: one instance per type, in the registry (:mod:`app.questions.registry`); every method takes the
question it is about. Shared behaviour lives in base classes (:mod:`app.questions.text`,
:mod:`app.questions.choices`), never in a copy per type.

This module imports nothing from the features (respond, results, exports, builder): they depend on the types, not
the other way round. What a type needs from them is handed to it (an export layout, a chart drawer, the figures of
the shared passes, a definition checker).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from flask import current_app

from app.models import Question, Survey, Territory
from app.questions.fields import QuestionField
from app.questions.summaries import Category, Figures, QuestionResult
from app.web.i18n import localized


class SettingKind(enum.StrEnum):
    """How a setting of ``Question.settings`` is read from a definition (app/builder/definition.py)."""

    INT = "int"  # a whole number from 0 to 5,000
    BOOL = "bool"
    NUMBER = "number"  # any number (a limit of the answer)
    DATE = "date"  # YYYY-MM-DD
    LABEL = "label"  # a short text (at most 200 characters)
    DISPLAY = "display"  # "radios" or "dropdown"
    EXPRESSION = "expression"  # an expression (at most 2,000 characters; the type checks what it refers to)
    DATA = "data"  # a JSON object of texts (the type checks its shape), e.g. the properties of choices


# ------------------------------------------------------------------------------------------------ storage records


@dataclass(frozen=True, slots=True)
class StoreLookup:
    """What turns a value into Answer columns: the question's option and matrix-row ids by code, the code of its
    "other" option when it offers one, and territory ids by code."""

    options: Mapping[str, int]
    rows: Mapping[str, int] = field(default_factory=dict)
    other: str | None = None
    territory_ids: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReadLookup:
    """What turns Answer rows back into a value: the survey's choices (options and matrix rows) by id, territory
    codes by id."""

    choices: Mapping[int, Any]
    territory_codes: Mapping[int, str]

    def code_of(self, choice_id: int | None) -> str | None:
        choice = self.choices.get(choice_id) if choice_id is not None else None
        return None if choice is None else choice.code


# ------------------------------------------------------------------------------------------------- export records

Answers = dict[int, list[Any]]  # question id -> its answer rows (response_id, question_id, choice_id, ...)
Getter = Callable[[Answers], Any]


@dataclass(frozen=True)
class Column:
    """One column of the CSV and XLSX exports."""

    name: str  # the code header, e.g. ``ages/0-2``
    label: str  # the label header in the chosen language
    get: Getter


def text_of(obj: Any, language: str, name: str = "label") -> str:
    """``obj.<name>_<language>``, French when it is empty (the exports' labels)."""
    return getattr(obj, f"{name}_{language}", "") or getattr(obj, f"{name}_fr", "") or ""


def first_value(answers: Answers, question_id: int, column: str) -> Any:
    rows = answers.get(question_id)
    return getattr(rows[0], column) if rows else None


def json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ------------------------------------------------------------------------------------------------ XLSForm records


@dataclass
class XLSFormRow:
    """A row of an XLSForm's survey sheet, as a type reads it (built by app/builder/xlsform.py)."""

    number: int  # the spreadsheet row
    word: str  # the first word of the ``type`` column, e.g. ``select_one``
    args: list[str]  # the words after it, e.g. ``["yes_no", "or_other"]``
    cells: Mapping[str, str]  # normalized header → text
    appearance: list[str]
    choice_lists: Mapping[str, list[tuple[Any, dict]]]  # list name → (choices-sheet row, {"code", "label"})
    report: Callable[[str, str], None]  # report(column, message): a problem of this row

    def problem(self, column: str, message: str) -> None:
        self.report(column, message)


@dataclass
class XLSFormExportRow:
    """How a question is written back to an XLSForm (app/builder/xlsform_export.py): its ``type`` cell, other cells
    of its survey row (``appearance``, ``calculation``…), and the rows of its list on the choices sheet (code,
    French label, English label, other columns)."""

    type: str
    cells: dict[str, str] = field(default_factory=dict)
    choices: list[tuple[str, str, str, dict[str, str]]] = field(default_factory=list)


@dataclass
class XLSFormQuestion:
    """What a type makes of an XLSForm row: its type key, settings and choices (the rest is common)."""

    type: str
    settings: dict[str, Any] = field(default_factory=dict)
    choices: list[dict] = field(default_factory=list)
    choice_rows: list[Any] = field(default_factory=list)  # the choices-sheet rows, for problems found later
    settings_column: str = "type"  # where a problem of the settings is reported


# ---------------------------------------------------------------------------------------------------- the contract


class BaseQuestionType:
    """A question type. Subclass it (or :class:`app.questions.text.TextType`, :class:`app.questions.choices
    .ChoiceType`…), set ``key`` and ``label``, override what differs, register it (:func:`app.questions.registry
    .register`) and write ``templates/questions/<key>.html`` with the macros ``answer``, ``results``, ``paper`` and
    ``settings``."""

    #: The stored key (``Question.type``; at most 32 characters: lowercase letters, digits and ``_``).
    key: ClassVar[str]
    #: Its name in the builder and on badges.
    label: ClassVar[Any]
    #: The WTForms field of the respondent page.
    field_class: ClassVar[type[QuestionField]] = QuestionField
    #: False for a text block: nothing to answer, to require, to constrain or to reference.
    answerable: ClassVar[bool] = True
    #: Its value is computed (XLSForm's ``calculate``), not asked: referenced and stored, not counted as a question.
    computed: ClassVar[bool] = False
    #: Answers are Answer rows (False: no answer, or one kept apart, see ``stored_apart``); only such questions are
    #: exported, counted in the results and generated for synthetic responses.
    stores_answers: ClassVar[bool] = True
    #: The answer is kept apart from the answers (the e-mail of an identified respondent): :meth:`save_apart`.
    stored_apart: ClassVar[bool] = False
    #: Answer options (``choices`` of the definition), and matrix rows (``rows``).
    has_choices: ClassVar[bool] = False
    has_rows: ClassVar[bool] = False
    #: Option codes may hold spaces and signs (one answer, never split on spaces): a single choice.
    free_codes: ClassVar[bool] = False
    #: The fewest options a definition may give (when ``has_choices``).
    min_choices: ClassVar[int] = 2
    #: Several Answer rows for one response (the results count respondents, not rows).
    several_rows: ClassVar[bool] = False
    #: The settings of ``Question.settings`` and their kind; absent, empty or false settings are not stored.
    settings: ClassVar[Mapping[str, SettingKind]] = {}
    #: The builder form's fields for those settings (WTForms unbound fields, by name; a name shared by several
    #: types is the same field object).
    settings_fields: ClassVar[Mapping[str, Any]] = {}
    #: The builder form's field for a setting, where it is not the setting's own name (``min`` → ``min_value``).
    settings_paths: ClassVar[Mapping[str, str]] = {}
    #: The shared SQL passes of app/results/aggregate.py whose figures :meth:`summarize` reads.
    figures: ClassVar[frozenset[str]] = frozenset()
    #: Summarized with the closed questions (charts) of the report; texts are not.
    closed: ClassVar[bool] = True
    #: Can be crossed with another such question (results), or used as a segment filter.
    crossable: ClassVar[bool] = False
    segmentable: ClassVar[bool] = False
    #: Share of optional questions of this type a synthetic respondent skips.
    skip_share: ClassVar[float] = 0.08
    #: The XLSForm ``type`` words this type reads, listed in the message naming the importable types at
    #: ``xlsform_order``; and words it reads without listing them (aliases, Concerto's extensions).
    xlsform_types: ClassVar[tuple[str, ...]] = ()
    xlsform_order: ClassVar[int] = 100
    xlsform_aliases: ClassVar[tuple[str, ...]] = ()

    @property
    def template(self) -> str:
        """The template holding its macros ``answer``, ``results``, ``paper`` and ``settings``."""
        return f"questions/{self.key}.html"

    @property
    def macros(self) -> Any:
        """Its template's macros (``qtype.macros.answer(f, t)``). The module Jinja keeps for the template (made
        without the page's context, like an ``{% import %}``): no import is paid per question of a page."""
        return current_app.jinja_env.get_template(self.template).module

    def __repr__(self) -> str:
        return f"<question type {self.key}>"

    # -- definition -------------------------------------------------------------------------------------------

    def check_settings(self, check: Any, settings: dict[str, Any], choice_count: int) -> None:
        """Rules between the settings, once each is read (``check.error(path, message)``; paths start at
        ``$.settings``). May fill in defaults."""

    def check_question(self, check: Any, question: Mapping[str, Any], context: Any) -> None:
        """Rules on the whole question (``question``: normalized so far) in its questionnaire (``context``:
        app.builder.definition.QuestionContext)."""

    def selectable_codes(self, choice_codes: Iterable[str]) -> set[str] | None:
        """The codes ``selected(${code}, '…')`` may test (``None``: not checked)."""
        return None

    def to_definition(self, question: Question) -> dict[str, Any]:
        """The question in the definition format (docs/QUESTIONNAIRE_FORMAT.md)."""
        data: dict[str, Any] = {
            "code": question.code,
            "type": str(self.key),
            "label": _pair(question, "label"),
            "help": _pair(question, "help"),
            "required": bool(question.required),
            "relevant": question.relevant or "",
            "constraint": question.constraint or "",
            "constraint_message": _pair(question, "constraint_message"),
            "settings": dict(sorted((question.settings or {}).items())),
        }
        if self.has_choices:
            data["choices"] = [{"code": c.code, "label": _pair(c, "label")} for c in question.choices]
        if self.has_rows:
            data["rows"] = [{"code": c.code, "label": _pair(c, "label")} for c in question.rows]
        return data

    # -- XLSForm ----------------------------------------------------------------------------------------------

    def accepts_xlsform(self, row: XLSFormRow) -> bool:
        """Whether this type reads the row (types are asked in the registry's order)."""
        return (row.word in self.xlsform_types or row.word in self.xlsform_aliases) and not row.args

    def from_xlsform(self, row: XLSFormRow) -> XLSFormQuestion | None:
        """The type, settings and choices of the row; ``None`` after reporting a problem with ``row.problem``."""
        return XLSFormQuestion(self.key)

    def to_xlsform(self, question: Question) -> XLSFormExportRow:
        """Its survey row (and list) in an XLSForm: the first of its ``xlsform_types``, else a text; its options
        as a list named after its code."""
        choices = [(c.code, c.label_fr or "", c.label_en or "", {}) for c in question.choices]
        if self.has_choices:
            return XLSFormExportRow(f"select_one {question.code}", {}, choices)
        return XLSFormExportRow(self.xlsform_types[0] if self.xlsform_types else "text")

    # -- builder ----------------------------------------------------------------------------------------------

    def settings_from_form(self, form: Any) -> dict[str, Any]:
        """The settings the builder form describes (checked afterwards like a definition's)."""
        return {name: form[name].data for name in self.settings_fields}

    def settings_form_data(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """The builder form's initial values for these settings."""
        return {name: settings[name] for name in self.settings_fields if name in settings}

    # -- respondent -------------------------------------------------------------------------------------------

    def asked(self, survey: Survey) -> bool:
        """Whether such a question is put to the respondents of ``survey`` at all."""
        return True

    def field_options(self, question: Question, language: str, territories: Iterable[Any]) -> dict[str, Any]:
        """Keyword arguments of ``field_class`` besides the question, language and validators."""
        return {}

    def form_field(
        self, question: Question, *, language: str, territories: Iterable[Any] = (), validators: Iterable[Any] = ()
    ) -> Any:
        """The unbound WTForms field ``q_<code>`` of a respondent page."""
        return self.field_class(
            localized(question, "label", language),
            validators=list(validators),
            question=question,
            language=language,
            qtype=self,
            **self.field_options(question, language, territories),
        )

    def operand(self, value: Any) -> Any:
        """The value as display conditions (and conditions.js, through JSON) see it; ``None``: unanswered."""
        if value is None:
            return None
        return list(value) if isinstance(value, list | tuple) else value

    def constraint_operand(self, value: Any) -> Any:
        """The value ``.`` stands for in the question's own constraint."""
        return self.operand(value)

    def value_from_json(self, value: Any) -> Any:
        """A value carried as JSON (app.respond.engine.values_to_json), or ``None`` when it does not fit."""
        return value if isinstance(value, str) else None

    # -- storage ----------------------------------------------------------------------------------------------

    def answer_rows(self, value: Any, other_text: str | None, lookup: StoreLookup) -> list[dict[str, Any]]:
        """The Answer columns holding ``value`` (one dict per row; see app/models/surveys.py)."""
        return []

    def read_value(self, question: Question, rows: list[Any], lookup: ReadLookup) -> dict[str, Any]:
        """The stored rows of one response to ``question`` (in id order) as engine values: ``{code: value}``, and
        ``{code + ":other": text}`` for an "other" text."""
        return {}

    def save_apart(self, response: Any, value: Any) -> None:
        """Keep the answer of a ``stored_apart`` type (``None``: forget it)."""
        raise NotImplementedError(self.key)

    def load_apart(self, response: Any) -> Any:
        raise NotImplementedError(self.key)

    # -- results ----------------------------------------------------------------------------------------------

    def summarize(self, question: Question, result: QuestionResult, figures: Figures) -> None:
        """Fill ``result`` from the figures of the shared passes (``figures``) this type asked for."""

    def chart(self, result: QuestionResult, chart_id: str, draw: Any) -> Any:
        """Its chart (``draw.rows(chart_id, title, rows)`` or ``draw.bars(chart_id, title, [(label, value, text)])``),
        or ``None``."""
        if result.rows:
            return draw.rows(chart_id, result.label, result.rows)
        return None

    def histogram_edges(self, question: Question, stats: tuple) -> tuple[list[float], bool]:
        """For a type listing ``Figure.HISTOGRAM``: the lower edges of its bins, from its ``NUMBER_STATS`` figures
        (count, mean, lowest, highest), and whether each bin is one whole number."""
        raise NotImplementedError(self.key)

    def row_chart(self, result: QuestionResult, index: int, row: Any, chart_id: str, draw: Any) -> Any:
        """The chart of one row of a type with rows (a matrix), or ``None``."""
        return None

    def categories(self, question: Question, territories: Mapping[int, Territory]) -> list[Category]:
        """The categories of a cross-tabulation (``crossable`` types)."""
        raise NotImplementedError(self.key)

    def category_column(self, question: Question, answer: Any) -> Any:
        """The SQL expression of an answer's category (``answer``: an alias of Answer)."""
        raise NotImplementedError(self.key)

    # -- paper version ----------------------------------------------------------------------------------------

    def choice_labels(self, question: Question, language: str) -> dict[str, str]:
        """Answer codes → their label, to write conditions in words."""
        return {c.code: localized(c, "label", language) for c in question.choices}

    # -- exports ----------------------------------------------------------------------------------------------

    def export_columns(self, question: Question, layout: Any) -> list[Column]:
        """The columns of its answers (``layout``: app.exports.export.Layout)."""
        return []

    def export_value(self, question: Question, rows: list[Any], layout: Any) -> dict[str, Any]:
        """Its answer in a JSON export: ``{code: value}`` (and more keys when it needs them); ``rows``: its answer
        rows for one response, never empty."""
        return {}

    def codebook_rows(self, question: Question, territories: Iterable[Any]) -> Iterator[tuple[str, ...]]:
        """The codebook: the question's row, then one per value it may take (``territories``: code, name)."""
        key = self.key
        yield (question.code, key, question.label_fr, question.label_en, "", "", "", "")
        for choice in question.choices:
            yield (question.code, key, "", "", "option", choice.code, choice.label_fr, choice.label_en)
        for row in question.rows:
            yield (question.code, key, "", "", "row", row.code, row.label_fr, row.label_en)

    # -- moderation and synthetic responses -------------------------------------------------------------------

    def moderated(self, question: Question) -> bool:
        """Whether its answers go to the moderation queue."""
        return False

    def synthetic_value(self, question: Any, plan: Any, english: bool, values: dict[str, Any]) -> Any:
        """A plausible answer for app/devdata/synthetic.py (``plan``: its rng, options and weights; may add the "other"
        text to ``values``); ``None``: left unanswered."""
        return None


def _pair(obj: Any, name: str) -> dict[str, str]:
    return {"fr": getattr(obj, f"{name}_fr") or "", "en": getattr(obj, f"{name}_en") or ""}
