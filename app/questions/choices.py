"""What the types answered by picking share: the choice field (radios, checkboxes or a drop-down list), answer
options taken from the question's choices, XLSForm's ``select_… list_name [or_other]``, and "other, please specify"
(single and multiple choice): its setting, storage (an Answer row with ``is_other`` and the text), figures, export
column and codebook row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField
from wtforms.validators import Optional, ValidationError

from app.questions.base import BaseQuestionType, Column, SettingKind, XLSFormExportRow, XLSFormQuestion, text_of
from app.questions.fields import (
    MAX_TEXT_LENGTH,
    OTHER_SUFFIX,
    SUB,
    Option,
    QuestionField,
    clean_text,
    format_number,
    other_code,
)
from app.questions.summaries import Category, Figure, Row, share
from app.web.fields import choices
from app.web.i18n import localized

OTHER_KEY = 0  # the category of "other, please specify" answers in a cross-tabulation
OTHER_LABEL = {"fr": "Autre", "en": "Other"}  # in exports, whatever the language of the request
OTHER_TEXTS_FR = ["Grand-parents", "Voisine", "Garderie en milieu familial", "Autre organisme", "Cousine"]
OTHER_TEXTS_EN = ["Grandparents", "Neighbour", "Home daycare"]

DISPLAY_LABELS = {"radios": _l("Buttons, all visible"), "dropdown": _l("Drop-down list")}
#: The builder's fields shared by several types: how the options are shown, and "other, please specify".
DISPLAY_FIELD = RadioField(
    _l("Display"), choices=choices(DISPLAY_LABELS.items()), default="radios", validators=[Optional()]
)
OTHER_FIELD = BooleanField(_l("Add “Other, please specify”"))


class ChoiceQuestionField(QuestionField):
    """One answer among options (radios or a drop-down list), optionally "other, please specify"."""

    required_message = _l("Choose an answer.")
    multiple = False

    def __init__(
        self, *args, options: Sequence[tuple[str, str]] = (), dropdown: bool = False, other: bool = False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.dropdown = dropdown
        self.allows_other = other
        pairs = list(options)
        self.other_value = other_code(self.question) if self.allows_other else None
        if self.other_value is not None:
            pairs.append((self.other_value, str(_l("Other"))))
        self.options = [
            Option(value, label, f"{self.id}{SUB}{index}", is_other=value == self.other_value)
            for index, (value, label) in enumerate(pairs)
        ]
        self.valid_values = {option.value for option in self.options}
        self.other_name = f"{self.name}{SUB}other"
        self.other_id = f"{self.id}{SUB}other"
        self.other_text = ""
        self.selected: list[str] = []

    @property
    def error_anchor(self) -> str:
        return self.id if self.dropdown or not self.options else self.options[0].id

    def parse(self, formdata) -> Any:
        raw = [str(value) for value in formdata.getlist(self.name)]
        self.raw_data = raw
        self.other_text = clean_text(formdata.get(self.other_name, ""), multiline=False) if self.allows_other else ""
        chosen = list(dict.fromkeys(value for value in raw if value != ""))
        self.selected = [value for value in chosen if value in self.valid_values]
        # An unknown code, or several values for a single answer: not something this page could send.
        if len(chosen) != len(self.selected) or (not self.multiple and len(chosen) > 1):
            self.selected = []
            raise ValueError(_l("Choose one of the options shown."))
        if not self.selected:
            return None
        if self.multiple:
            order = {option.value: index for index, option in enumerate(self.options)}
            return sorted(self.selected, key=order.__getitem__)
        return self.selected[0]

    def load(self, value, other_text=None) -> None:
        if isinstance(value, list):
            self.selected = [v for v in value if v in self.valid_values]
        else:
            self.selected = [value] if value in self.valid_values else []
        self.data = (self.selected or None) if self.multiple else (self.selected[0] if self.selected else None)
        self.other_text = other_text or ""

    def is_selected(self, option: Option) -> bool:
        return option.value in self.selected

    def apply_filter(self, answers: Any, *, final: bool) -> None:
        """Keep the options the question's ``choice_filter`` allows given ``answers`` (XLSForm's cascading
        selects). ``final``: the answers are complete (the page is being checked), so a filter over answers of
        this very page applies too; otherwise (showing the page) such a filter waits for the answers."""
        allowed = allowed_codes(self.question, answers, final=final)
        if allowed is None:
            return
        self.options = [option for option in self.options if option.value in allowed or option.is_other]
        self.filtered = True

    @cached_property
    def filter_tree(self) -> Any:
        """The choice_filter as conditions.js reads it (``data-choice-filter``), so that a cascade whose filter uses
        answers of the same page follows them in the browser; ``None`` without a filter."""
        from app.builder.expressions import ExpressionError, parse, to_json

        source = self.question.setting("choice_filter")
        try:
            return to_json(parse(source)) if source else None
        except ExpressionError:  # refused on import: only a damaged database has one
            return None

    def choice_columns(self, value: str) -> Any:
        """An option's choices-sheet columns for the browser's filter (``data-choice``)."""
        return (self.question.setting("choice_properties") or {}).get(value) or {}

    @property
    def other_chosen(self) -> bool:
        return self.other_value is not None and self.other_value in self.selected

    filtered = False

    def check(self, form) -> None:
        if self.filtered and any(value not in {option.value for option in self.options} for value in self.selected):
            raise ValidationError(_l("This choice does not fit your earlier answers: choose one of the options shown."))
        if self.other_chosen:
            if not self.other_text:
                raise ValidationError(_l("Please specify your “other” answer."))
            if len(self.other_text) > MAX_TEXT_LENGTH:
                raise ValidationError(
                    _l(
                        "Your answer is too long: %(count)s characters; the maximum is %(max)s.",
                        count=format_number(len(self.other_text), self.language),
                        max=format_number(MAX_TEXT_LENGTH, self.language),
                    )
                )


#: The prefix of the names a choice_filter uses for the choice's own columns: ``name`` (its code) and the other
#: columns of the choices sheet (``${__choice.state}``); XLSForm writes them bare (``state = ${state}``).
CHOICE_PREFIX = "__choice."
FILTER_SETTINGS = {"choice_filter": SettingKind.EXPRESSION, "choice_properties": SettingKind.DATA}
_FILTER_TOKEN = re.compile(r"""('[^']*'|"[^"]*"|\$\{[^}]*\})|([^\W\d][\w.\-]*)(\s*\()?""")
_KEYWORDS = {"and", "or", "div", "mod"}


def filter_from_xlsform(source: str) -> tuple[str, set[str]]:
    """XLSForm's choice_filter (``state = ${state} and name != 'x'``) as a Concerto expression over the choice's
    columns (``${__choice.state} = ${state} and ${__choice.name} != 'x'``), and the columns it uses."""
    columns: set[str] = set()

    def replace(match: re.Match) -> str:
        literal, name, call = match.groups()
        if literal or call or name in _KEYWORDS:
            return match.group(0)
        columns.add(name)
        return "${" + CHOICE_PREFIX + name + "}"

    return _FILTER_TOKEN.sub(replace, source), columns


def allowed_codes(question: Any, answers: Any, *, final: bool) -> set[str] | None:
    """The codes the question's choice_filter allows given ``answers``; ``None`` when it has none, or (``final``
    false) when it uses an answer not given yet."""
    from app.builder.expressions import ExpressionError, is_true, parse, references

    source = question.setting("choice_filter")
    if not source:
        return None
    try:
        expr = parse(source)
    except ExpressionError:  # refused on import: only a damaged database has one
        return None
    if not final and any(
        not name.startswith(CHOICE_PREFIX) and answers.get(name) is None for name, _pos in references(expr)
    ):
        return None
    properties = question.setting("choice_properties") or {}
    values = dict(answers)
    allowed = set()
    for choice in question.choices:
        values[CHOICE_PREFIX + "name"] = choice.code
        rows = properties.get(choice.code) or {}
        for row in rows if isinstance(rows, list) else [rows]:  # a code listed under several parents
            for key, value in row.items():
                values[CHOICE_PREFIX + key] = value
            if is_true(expr, values):
                allowed.add(choice.code)
                break
    return allowed


def option_pairs(question: Any, language: str) -> list[tuple[str, str]]:
    return [(c.code, localized(c, "label", language)) for c in question.choices]


class ChoiceType(BaseQuestionType):
    """Options given by the question's choices (``choices`` in the definition), read from XLSForm's
    ``<word> list_name``."""

    has_choices = True
    field_class: ClassVar[type[QuestionField]] = ChoiceQuestionField

    def selectable_codes(self, choice_codes):
        return set(choice_codes)

    def check_question(self, check, question, context):
        source = question["settings"].get("choice_filter", "")
        if not source:
            return
        columns = {CHOICE_PREFIX + "name"}
        for rows in (question["settings"].get("choice_properties") or {}).values():
            for row in rows if isinstance(rows, list) else [rows]:
                columns |= {CHOICE_PREFIX + key for key in row} if isinstance(row, dict) else set()
        check.expression(
            source,
            "$.settings.choice_filter",
            known=context.known | columns,
            allowed=[*context.earlier, *columns],
            current=question["code"] or None,
            allow_self=False,
            notes=context.notes,
            choice_codes=context.choice_codes,
        )

    def accepts_xlsform(self, row):
        return row.word in self.xlsform_types

    def from_xlsform(self, row):
        args = row.args
        if not args or len(args) > 2 or (len(args) == 2 and args[1] != "or_other"):
            row.problem("type", _("Write “%(type)s list_name”, optionally followed by “or_other”.", type=row.word))
            return None
        list_name = args[0]
        if list_name not in row.choice_lists:
            row.problem("type", _("The list “%(list)s” is not in the choices sheet.", list=list_name))
            return None
        question = XLSFormQuestion(self.key)
        if not self.xlsform_settings(row, question, other=len(args) == 2):
            return None
        listed = row.choice_lists[list_name]
        source = row.cells.get("choice_filter", "").strip()
        if source:  # a cascade: one choice per code, shown when any of its rows passes the filter
            first: dict[str, tuple[Any, dict]] = {}
            for choice_row, choice in listed:
                first.setdefault(choice["code"], (choice_row, choice))
            question.choice_rows = [choice_row for choice_row, _choice in first.values()]
            question.choices = [{"code": c["code"], "label": c["label"]} for _row, c in first.values()]
        else:
            question.choice_rows = [choice_row for choice_row, _choice in listed]
            question.choices = [{"code": c["code"], "label": c["label"]} for _row, c in listed]
        if source:
            if "choice_filter" not in self.settings:
                row.problem("choice_filter", _("This type of question cannot filter its choices."))
                return None
            expression, columns = filter_from_xlsform(source)
            question.settings["choice_filter"] = expression
            properties: dict[str, Any] = {}
            for _row, choice in listed:
                kept = {c: choice.get("properties", {}).get(c, "") for c in sorted(columns - {"name"})}
                if kept:
                    properties.setdefault(choice["code"], []).append(kept)
            properties = {code: rows[0] if len(rows) == 1 else rows for code, rows in properties.items()}
            if properties:
                question.settings["choice_properties"] = properties
            question.settings_column = "choice_filter"
        return question

    def to_xlsform(self, question):
        """``<word> <code>`` (``or_other``), the choice_filter back in XLSForm's words (``state = ${state}``) and the
        choices' columns it reads."""
        properties = question.setting("choice_properties") or {}
        choices = []
        for choice in question.choices:
            rows = properties.get(choice.code) or [{}]
            for row in rows if isinstance(rows, list) else [rows]:
                choices.append((choice.code, choice.label_fr or "", choice.label_en or "", dict(row)))
        word = self.xlsform_types[0] if self.xlsform_types else "select_one"
        kind = f"{word} {question.code}" + (" or_other" if question.setting("other") else "")
        cells = {}
        if question.setting("choice_filter"):
            cells["choice_filter"] = re.sub(
                r"\$\{" + re.escape(CHOICE_PREFIX) + r"([^}]*)\}", r"\1", question.setting("choice_filter")
            )
        if question.setting("display") == "dropdown":
            cells["appearance"] = "minimal"
        return XLSFormExportRow(kind, cells, choices)

    def xlsform_settings(self, row: Any, question: XLSFormQuestion, *, other: bool) -> bool:
        """Settings from the row (``other``: the type ends with ``or_other``); False after reporting a problem."""
        if other:
            row.problem("type", _("This type of question cannot have “or_other”."))
            return False
        return True


class DisplayMixin:
    """Radios, or a drop-down list (``display``; XLSForm's ``minimal`` appearance)."""

    display_settings_fields: ClassVar[dict[str, Any]] = {"display": DISPLAY_FIELD}

    @staticmethod
    def dropdown(question: Any) -> bool:
        return question.setting("display") == "dropdown"

    @staticmethod
    def display_from_xlsform(row: Any, question: XLSFormQuestion) -> None:
        if "minimal" in row.appearance:
            question.settings["display"] = "dropdown"
            question.settings_column = "appearance"


class OtherChoiceType(ChoiceType):
    """Single and multiple choice: one Answer row per chosen option, and "other, please specify" (``other``): a row
    with ``is_other`` and the text. Crossed and used as segments in the results."""

    figures = frozenset({Figure.CATEGORIES, Figure.OTHER_TEXTS})
    crossable = True
    segmentable = True
    other_share: ClassVar[float] = 0.05  # synthetic respondents who answer "other"

    def field_options(self, question, language, territories):
        return {"options": option_pairs(question, language), "other": bool(question.setting("other"))}

    def xlsform_settings(self, row, question, *, other):
        if other:
            question.settings["other"] = True
        return True

    def answer_rows(self, value, other_text, lookup):
        fields = []
        for code in value if isinstance(value, list) else [value]:
            if code == lookup.other:
                if other_text:
                    fields.append({"is_other": True, "text_value": other_text})
            elif code in lookup.options:
                fields.append({"choice_id": lookup.options[code]})
        return fields

    def chosen_codes(self, question: Any, rows: list[Any], lookup: Any, values: dict[str, Any]) -> list[str]:
        """The codes of the stored rows (the "other" code for an "other" row, whose text goes to ``values``)."""
        chosen = []
        for row in rows:
            if row.is_other:
                chosen.append(other_code(question))
                values[question.code + OTHER_SUFFIX] = row.text_value or ""
            else:
                code = lookup.code_of(row.choice_id)
                if code is not None:
                    chosen.append(code)
        return chosen

    def summarize(self, question, result, figures):
        rows = figures.categories.get(question.id, [])
        count = result.answered
        chosen = {r.choice_id: r.answers for r in rows if r.choice_id is not None}
        result.rows = [
            Row(localized(c, "label"), chosen.get(c.id, 0), share(chosen.get(c.id, 0), count)) for c in question.choices
        ]
        result.other_count = sum(r.answers for r in rows if r.is_other)
        if question.setting("other") or result.other_count:
            result.rows.append(Row(_("Other"), result.other_count, share(result.other_count, count)))
        result.other_texts = figures.other_texts.get(question.id, [])

    def categories(self, question, territories):
        found = [Category(c.id, localized(c, "label")) for c in question.choices]
        if question.setting("other"):
            found.append(Category(OTHER_KEY, _("Other")))
        return found

    def category_column(self, question, answer):
        return sa.func.coalesce(answer.choice_id, OTHER_KEY)

    def other_column(self, question: Any, layout: Any) -> list[Column]:
        """The column of the "other" texts, when the question offers "other"."""
        if not question.setting("other"):
            return []
        qid, other = question.id, other_code(question)

        def other_text(a):
            return next((r.text_value for r in a.get(qid, ()) if r.is_other), None)

        label = f"{text_of(question, layout.language)} — {OTHER_LABEL[layout.language]}"
        return [Column(f"{question.code}/{other}", label, other_text)]

    def export_value(self, question, rows, layout):
        other = other_code(question)
        mark = OTHER_LABEL[layout.language] if layout.labels else other
        chosen = [mark if r.is_other else layout.value_of(r.choice_id) for r in rows]
        values = {question.code: self.exported_choice(chosen)}
        text = next((r.text_value for r in rows if r.is_other), None)
        if text is not None:
            values[f"{question.code}/{other}"] = text
        return values

    def exported_choice(self, chosen: list[Any]) -> Any:
        return chosen

    def codebook_rows(self, question, territories):
        yield from super().codebook_rows(question, territories)
        if question.setting("other"):
            key = self.key
            yield (question.code, key, "", "", "other", other_code(question), OTHER_LABEL["fr"], OTHER_LABEL["en"])

    def synthetic_other(self, question: Any, plan: Any, english: bool, values: dict[str, Any]) -> bool:
        """Whether this synthetic respondent answers "other" (its text then goes to ``values``)."""
        if question.id in plan.others and plan.rng.random() < self.other_share:
            values[question.code + OTHER_SUFFIX] = plan.rng.choice(OTHER_TEXTS_EN if english else OTHER_TEXTS_FR)
            return True
        return False
