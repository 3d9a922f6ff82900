"""Acknowledgement: XLSForm's ``acknowledge``, one box to tick ("I have read…"); its value is ``OK`` (as in ODK),
kept in ``text_value``. Usually required."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.questions.fields import QuestionField
from app.questions.scalar import ScalarType

OK = "OK"


class AcknowledgeField(QuestionField):
    required_message = _l("Tick the box to go on.")

    def parse(self, formdata):
        values = formdata.getlist(self.name)
        self.raw_data = [str(v) for v in values]
        if any(str(v) not in {OK, ""} for v in values):
            raise ValueError(_l("Tick the box, or leave it empty."))
        return OK if OK in values else None

    def load(self, value, other_text=None):
        self.data = OK if value == OK else None

    @property
    def error_anchor(self) -> str:
        return f"{self.id}:0"


class AcknowledgeType(ScalarType):
    key = "acknowledge"
    label = _l("Acknowledgement (one box to tick)")
    field_class = AcknowledgeField
    xlsform_types = ("acknowledge",)
    xlsform_order = 51

    def selectable_codes(self, choice_codes):
        return {OK}

    def answer_rows(self, value, other_text, lookup):
        return [{"text_value": OK}]

    def read_value(self, question, rows, lookup):
        return {question.code: OK} if rows[-1].text_value == OK else {}

    def summarize(self, question, result, figures):
        """Counted as answered."""

    def synthetic_value(self, question, plan, english, values):
        return OK
