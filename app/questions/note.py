"""Text block: a note between questions. Nothing to answer: it cannot be required, have a constraint, or be
referenced by a condition."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import QuestionType
from app.questions.fields import NoteField
from app.questions.unstored import UnstoredType
from app.web.i18n import localized


class NoteType(UnstoredType):
    key = QuestionType.NOTE
    label = _l("Text block (no answer)")
    field_class = NoteField
    answerable = False
    xlsform_types = ("note",)
    xlsform_order = 50

    def check_question(self, check, question, context):
        if question["required"]:
            check.error("$.required", _("A text block has no answer: it cannot be required."))
        if question["constraint"]:
            check.error("$.constraint", _("A text block has no answer: it cannot have a constraint."))

    def form_field(self, question, *, language, territories=(), validators=()):
        return NoteField(localized(question, "label", language), question=question, language=language, qtype=self)
