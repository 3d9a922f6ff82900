"""Yes / no: two radios; the answer codes are ``yes`` and ``no`` (usable in ``selected()`` and comparisons), stored
as ``number_value`` 1 or 0 and exported as ``1``/``0`` (Oui/Non, Yes/No with labels)."""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.base import BaseQuestionType, Column, XLSFormExportRow, text_of
from app.questions.choices import ChoiceQuestionField
from app.questions.summaries import Category, Figure, Row, share

YES_NO_CODES = ("yes", "no")
YES_NO = {"fr": ("Oui", "Non"), "en": ("Yes", "No")}  # in exports, whatever the language of the request


class YesNoQuestionField(ChoiceQuestionField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, options=[("yes", str(_l("Yes"))), ("no", str(_l("No")))], **kwargs)


class YesNoType(BaseQuestionType):
    key = QuestionType.YES_NO
    label = _l("Yes / no")
    field_class = YesNoQuestionField
    figures = frozenset({Figure.VALUE_COUNTS})
    crossable = True

    def selectable_codes(self, choice_codes):
        return set(YES_NO_CODES)

    def choice_labels(self, question, language):
        return {"yes": _("Yes"), "no": _("No")}

    def to_xlsform(self, question):
        return XLSFormExportRow(
            f"select_one {question.code}",
            {},
            [("yes", YES_NO["fr"][0], YES_NO["en"][0], {}), ("no", YES_NO["fr"][1], YES_NO["en"][1], {})],
        )

    def answer_rows(self, value, other_text, lookup):
        return [{"number_value": Decimal(1 if value == "yes" else 0)}]

    def read_value(self, question, rows, lookup):
        numbers = [row.number_value for row in rows if row.number_value is not None]
        return {question.code: "yes" if numbers[-1] == 1 else "no"} if numbers else {}

    def summarize(self, question, result, figures):
        values = figures.counts.get(question.id, {})
        yes, no, count = values.get(Decimal(1), 0), values.get(Decimal(0), 0), result.answered
        result.rows = [Row(_("Yes"), yes, share(yes, count)), Row(_("No"), no, share(no, count))]

    def categories(self, question, territories):
        return [Category(1, _("Yes")), Category(0, _("No"))]

    def category_column(self, question, answer):
        return sa.cast(answer.number_value, sa.Integer)

    def export_columns(self, question, layout):
        qid, labels, language = question.id, layout.labels, layout.language

        def yes_no(a):
            row = next(iter(a.get(qid, ())), None)
            if row is None or row.number_value is None:
                return None
            yes = row.number_value == 1
            return YES_NO[language][0 if yes else 1] if labels else int(yes)

        return [Column(question.code, text_of(question, language), yes_no)]

    def export_value(self, question, rows, layout):
        yes = rows[0].number_value == 1
        return {question.code: YES_NO[layout.language][0 if yes else 1] if layout.labels else int(yes)}

    def codebook_rows(self, question, territories):
        yield from super().codebook_rows(question, territories)
        key = self.key
        yield (question.code, key, "", "", "option", "1", YES_NO["fr"][0], YES_NO["en"][0])
        yield (question.code, key, "", "", "option", "0", YES_NO["fr"][1], YES_NO["en"][1])

    def synthetic_value(self, question, plan, english, values):
        return "yes" if plan.rng.random() < 0.62 else "no"
