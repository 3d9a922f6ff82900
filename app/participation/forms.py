from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.web.form_fields import BoundedIntegerField

MAX_TARGET = 1_000_000
TARGET_MESSAGE = _l("Enter a whole number from 0 to 1,000,000.")


def targets_form_class(territories):
    """A form with one optional whole-number field per territory, ``target_<id>``."""

    class TargetsForm(FlaskForm):
        submit = SubmitField(_l("Save the targets"))

    for territory in territories:
        setattr(
            TargetsForm,
            f"target_{territory.id}",
            BoundedIntegerField(
                territory.name,
                maximum=MAX_TARGET,
                message=TARGET_MESSAGE,
                description=_l("Complete responses aimed for; leave empty for no target."),
            ),
        )
    return TargetsForm
