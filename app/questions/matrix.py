"""Matrix: several rows (``rows``) answered on one shared scale (``choices``), one radio group per row. One Answer
row per answered row (``row_id`` and the chosen point in ``choice_id``); results give each row's distribution. A
condition sees a matrix as unanswered."""

from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.base import Column, text_of
from app.questions.fields import SUB, Option
from app.questions.parts import PartsField, PartsType
from app.questions.summaries import MatrixRow, Row, share
from app.web.i18n import localized


class MatrixQuestionField(PartsField):
    """One radio group per row over the shared scale: ``q_<code>:<row>``. The value maps row codes to scale codes."""

    required_message = _l("Answer every row.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = [
            Option(choice.code, localized(choice, "label", self.language), "") for choice in self.question.choices
        ]
        self.matrix_rows = self.parts = [
            Option(row.code, localized(row, "label", self.language), f"{self.id}{SUB}r{index}")
            for index, row in enumerate(self.question.rows)
        ]
        self.valid_values = {option.value for option in self.scale}
        self.chosen: dict[str, str] = {}

    @property
    def error_anchor(self) -> str:
        return f"{self.matrix_rows[0].id}{SUB}0" if self.matrix_rows and self.scale else self.id

    def parse(self, formdata) -> dict[str, str] | None:
        self.chosen = {}
        problem = False
        for row in self.matrix_rows:
            values = [str(v) for v in formdata.getlist(self.input_name(row)) if v != ""]
            if not values:
                continue
            if len(values) > 1 or values[0] not in self.valid_values:
                problem = True
                continue
            self.chosen[row.value] = values[0]
        if problem:
            raise ValueError(_l("Choose one of the options shown."))
        return dict(self.chosen) or None

    def load(self, value, other_text=None) -> None:
        rows = {row.value for row in self.matrix_rows}
        self.chosen = {r: c for r, c in (value or {}).items() if r in rows and c in self.valid_values}
        self.data = dict(self.chosen) or None

    def is_chosen(self, row: Option, option: Option) -> bool:
        return self.chosen.get(row.value) == option.value


class MatrixType(PartsType):
    key = QuestionType.MATRIX
    label = _l("Matrix (rows × one scale)")
    field_class = MatrixQuestionField
    has_rows = True

    def selectable_codes(self, choice_codes):
        return None

    def operand(self, value: Any) -> Any:
        return None

    def value_from_json(self, value):
        if not isinstance(value, dict):
            return None
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}

    def answer_rows(self, value, other_text, lookup):
        return [
            {"row_id": lookup.rows[row], "choice_id": lookup.options[choice]}
            for row, choice in value.items()
            if row in lookup.rows and choice in lookup.options
        ]

    def read_value(self, question, rows, lookup):
        chosen = {}
        for row in rows:
            code, row_code = lookup.code_of(row.choice_id), lookup.code_of(row.row_id)
            if code is not None and row_code is not None:
                chosen[row_code] = code
        return {question.code: chosen} if chosen else {}

    def summarize(self, question, result, figures):
        rows = figures.categories.get(question.id, [])
        for matrix_row in question.rows:
            cells = {r.choice_id: r.answers for r in rows if r.row_id == matrix_row.id and r.choice_id is not None}
            row_answered = sum(cells.values())
            result.matrix.append(
                MatrixRow(
                    localized(matrix_row, "label"),
                    row_answered,
                    [
                        Row(localized(c, "label"), cells.get(c.id, 0), share(cells.get(c.id, 0), row_answered))
                        for c in question.choices
                    ],
                    hidden=0 < row_answered < figures.min_count,
                )
            )

    def row_chart(self, result: Any, index: int, row: MatrixRow, chart_id: str, draw: Any) -> Any:
        """The chart of one row (the template draws one per row, below the table)."""
        if row.hidden or not row.answered:
            return None
        return draw.rows(chart_id, f"{result.label} — {row.label}", row.cells)

    def export_columns(self, question, layout):
        qid, label = question.id, text_of(question, layout.language)
        columns = []
        for row_choice in question.rows:
            rid = row_choice.id

            def matrix(a, rid: int = rid):
                return next((layout.value_of(r.choice_id) for r in a.get(qid, ()) if r.row_id == rid), None)

            columns.append(
                Column(
                    f"{question.code}/{row_choice.code}", f"{label} — {text_of(row_choice, layout.language)}", matrix
                )
            )
        return columns

    def export_value(self, question, rows, layout):
        return {
            question.code: {
                layout.choices[r.row_id].code: layout.value_of(r.choice_id) for r in rows if r.row_id in layout.choices
            }
        }

    def synthetic_value(self, question, plan, english, values):
        rng, options = plan.rng, plan.options[question.id]
        answered = {
            row: rng.choices(options, plan.weights[question.id])[0][0]
            for row, _id in plan.rows[question.id]
            if options and rng.random() < 0.95
        }
        return answered or None
