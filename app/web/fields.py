"""Form pieces shared by several features: the button-only form, the answering forms' CSRF without a time limit,
checkbox lists, option lists, and the one date-and-time field in the application's time zone."""

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf, same_origin, validate_csrf
from wtforms import DateTimeLocalField, SelectChoice, SelectMultipleField, SubmitField, ValidationError
from wtforms.csrf.core import CSRF
from wtforms.widgets import CheckboxInput, ListWidget

EXPIRED_TEXT = _l("The page had expired. Send it again.")


class EmptyForm(FlaskForm):
    """A button-only POST still carries the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class SessionBoundCSRF(CSRF):
    """Flask-WTF's CSRF token (same field, secret and session value), checked without a time limit.

    For the forms a person fills in at their own pace (respondent pages, the Start button, a ballot): the token
    still has to match the one kept in this browser's session, so another site cannot post for the person, but a
    page left open for hours is not refused for its age. Over HTTPS the referrer must be this site, as
    CSRFProtect requires of every other form. A failure is an ordinary error of the form's ``csrf_token`` field:
    the view shows the page again with what was typed.
    """

    def setup_form(self, form):
        self.meta = form.meta
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return generate_csrf(secret_key=self.meta.csrf_secret, token_key=self.meta.csrf_field_name)

    def validate_csrf_token(self, form, field) -> None:
        try:
            # An infinite age limit: Flask-WTF reads a time_limit of None as "the configured 3,600 s".
            validate_csrf(field.data, self.meta.csrf_secret, math.inf, self.meta.csrf_field_name)
        except ValidationError:
            raise ValidationError(EXPIRED_TEXT) from None
        strict = request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]
        if strict and not (request.referrer and same_origin(request.referrer, f"https://{request.host}/")):
            raise ValidationError(EXPIRED_TEXT)


class AnsweringForm(FlaskForm):
    """A form whose CSRF token does not expire (see :class:`SessionBoundCSRF`).

    Its views are exempt from the global CSRFProtect (``csrf.exempt``) and must call ``validate()`` before
    storing anything; ``expired`` then says whether the token was refused.
    """

    class Meta:
        csrf_class = SessionBoundCSRF

    @property
    def expired(self) -> bool:
        return bool(self.meta.csrf and self.csrf_token.errors)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms options."""
    return [SelectChoice(value, label) for value, label in pairs]


def app_zone() -> ZoneInfo:
    """The application's time zone as a zoneinfo zone (pytz's rules stop in 2037)."""
    return ZoneInfo(str(get_timezone()))


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored (aware UTC) date and time as the application's naive local time, as a form shows it."""
    if value is None:
        return None
    return value.astimezone(app_zone()).replace(tzinfo=None)


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in the application's time zone (``<input type="datetime-local">``).

    ``data`` is what was typed (naive, local time); :attr:`utc` is the aware UTC value to store. A stored value is
    given to the form with :func:`utc_to_local`.
    """

    def __init__(self, label: Any = None, validators: Any = None, format: str = "%Y-%m-%dT%H:%M", **kwargs: Any):
        super().__init__(label, validators, format=format, **kwargs)

    @property
    def utc(self) -> datetime | None:
        if self.data is None:
            return None
        return self.data.replace(tzinfo=app_zone()).astimezone(UTC)
