from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField
from wtforms.validators import NumberRange, Optional

MAX_TARGET = 1_000_000


def targets_form_class(territories):
    """A form with one optional whole-number field per territory, ``target_<id>``."""

    class TargetsForm(FlaskForm):
        submit = SubmitField(_l("Save the targets"))

    for territory in territories:
        setattr(
            TargetsForm,
            f"target_{territory.id}",
            IntegerField(
                territory.name,
                validators=[
                    Optional(),
                    NumberRange(min=0, max=MAX_TARGET, message=_l("Enter a whole number from 0 to 1,000,000.")),
                ],
                description=_l("Complete responses aimed for; leave empty for no target."),
            ),
        )
    return TargetsForm
