from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import Optional, ValidationError

MAX_TARGET = 1_000_000
TARGET_MESSAGE = _l("Enter a whole number from 0 to 1,000,000.")


class TargetField(IntegerField):
    """A whole number; anything else gets the one message below (not two)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(TARGET_MESSAGE)) from None


def _in_range(_form, field) -> None:
    if field.data is not None and not 0 <= field.data <= MAX_TARGET:
        raise ValidationError(str(TARGET_MESSAGE))


def targets_form_class(territories):
    """A form with one optional whole-number field per territory, ``target_<id>``."""

    class TargetsForm(FlaskForm):
        submit = SubmitField(_l("Save the targets"))

    for territory in territories:
        setattr(
            TargetsForm,
            f"target_{territory.id}",
            TargetField(
                territory.name,
                validators=[Optional(), _in_range],
                description=_l("Complete responses aimed for; leave empty for no target."),
            ),
        )
    return TargetsForm
