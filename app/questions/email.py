"""E-mail address: only in an identified survey, at most once. The address is kept apart from the answers (a
``RespondentContact``, deletable on request), never exported nor counted in the results."""

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.core.extensions import db
from app.models import Anonymity, QuestionType, RespondentContact
from app.questions.fields import clean_text
from app.questions.text import TextQuestionField
from app.questions.unstored import UnstoredType


class EmailQuestionField(TextQuestionField):
    """Identified surveys only; the address is stored apart from the answers (RespondentContact)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, multiline=False, **kwargs)
        self.max_length = 254

    def make_rule(self) -> Any:
        return _l("Your address is kept apart from your answers.")

    def parse(self, formdata) -> str | None:
        self.raw = str(formdata.get(self.name, ""))
        self.raw_data = [self.raw]
        return clean_text(self.raw, multiline=False).replace(" ", "") or None

    def check(self, form) -> None:
        try:
            if len(self.data) > self.max_length:
                raise EmailNotValidError("too long")
            result = validate_email(self.data, check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_l("Enter a valid e-mail address, for example nom@exemple.ca.")) from None
        self.data = result.normalized


class EmailType(UnstoredType):
    key = QuestionType.EMAIL
    label = _l("E-mail address (identified surveys only)")
    field_class = EmailQuestionField
    stored_apart = True

    def check_question(self, check, question, context):
        if context.anonymity != Anonymity.IDENTIFIED.value:
            check.error(
                "$.type",
                _(
                    "An e-mail question is only allowed in an identified survey; this one is “%(mode)s”.",
                    mode=context.anonymity,
                ),
            )
        if self.key in context.types_seen:
            check.error("$.type", _("The questionnaire already asks for the e-mail address once."))

    def asked(self, survey):
        return survey.anonymity is Anonymity.IDENTIFIED

    def constraint_operand(self, value):
        return value

    def save_apart(self, response, value):
        contact = db.session.get(RespondentContact, response.id)
        if value:
            if contact is None:
                db.session.add(RespondentContact(response_id=response.id, email=value))
            else:
                contact.email = value
        elif contact is not None:
            db.session.delete(contact)

    def load_apart(self, response):
        contact = db.session.get(RespondentContact, response.id)
        return None if contact is None else contact.email
