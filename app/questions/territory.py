"""Territory: the respondent picks one of the process's territories (every territory of the region when the process
names none); ``territory`` in XLSForm (a Concerto extension). Stored as ``territory_id``; answers are segmented by
territory (results filters, participation figures)."""

from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.base import BaseQuestionType, Column, SettingKind, XLSFormQuestion, first_value, text_of
from app.questions.choices import ChoiceQuestionField, DisplayMixin
from app.questions.summaries import Category, Figure, Row, share


class TerritoryType(DisplayMixin, BaseQuestionType):
    key = QuestionType.TERRITORY
    label = _l("Territory")
    field_class = ChoiceQuestionField
    settings = {"display": SettingKind.DISPLAY}
    settings_fields = DisplayMixin.display_settings_fields
    figures = frozenset({Figure.CATEGORIES})
    crossable = True
    xlsform_aliases = ("territory",)

    def field_options(self, question, language, territories):
        return {"options": [(t.code, t.name) for t in territories], "dropdown": self.dropdown(question)}

    def from_xlsform(self, row):
        question = XLSFormQuestion(self.key)
        self.display_from_xlsform(row, question)
        return question

    def settings_from_form(self, form):
        return {"display": form.display.data or "radios"}

    def answer_rows(self, value, other_text, lookup):
        return [{"territory_id": lookup.territory_ids[value]}] if value in lookup.territory_ids else []

    def read_value(self, question, rows, lookup):
        codes = [lookup.territory_codes[r.territory_id] for r in rows if r.territory_id in lookup.territory_codes]
        return {question.code: codes[-1]} if codes else {}

    def summarize(self, question, result, figures):
        rows = figures.categories.get(question.id, [])
        chosen = {r.territory_id: r.answers for r in rows if r.territory_id is not None}
        listed = sorted(figures.territories.values(), key=lambda t: t.name)
        count = result.answered
        result.rows = [Row(t.name, chosen.get(t.id, 0), share(chosen.get(t.id, 0), count)) for t in listed]

    def categories(self, question, territories):
        return [Category(t.id, t.name) for t in sorted(territories.values(), key=lambda t: t.name)]

    def category_column(self, question, answer):
        return answer.territory_id

    def export_columns(self, question, layout):
        qid = question.id
        return [
            Column(
                question.code,
                text_of(question, layout.language),
                lambda a: layout.territories.get(first_value(a, qid, "territory_id")),
            )
        ]

    def export_value(self, question, rows, layout):
        return {question.code: layout.territories.get(rows[0].territory_id)}

    def codebook_rows(self, question, territories):
        yield from super().codebook_rows(question, territories)
        for territory in territories:
            yield (question.code, self.key, "", "", "territory", territory.code, territory.name, territory.name)

    def synthetic_value(self, question, plan, english, values):
        if not plan.territory_ids:
            return None
        return plan.territory_code[plan.rng.choices(plan.territory_ids, plan.territory_w)[0]]
