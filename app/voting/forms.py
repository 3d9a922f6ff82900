"""Forms of the voting pages, and the reading of a filled-in ballot (plain form data, no WTForms there)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms import Form as NoCsrfForm
from wtforms.validators import DataRequired, Length, Optional

from app.core.labels import ELIGIBILITY_LABELS, RESULTS_VISIBILITY_LABELS, VOTING_METHOD_LABELS
from app.models import Ballot, VotingMethod
from app.voting.ballots import MAX_OPTIONS, ChoiceError
from app.web.fields import LocalDateTimeField, MultiCheckboxField, choices
from app.web.form_fields import bilingual, optional_number
from app.web.i18n import localized

EXTRA_OPTION_ROWS = 2
MIN_OPTION_ROWS = 4
MORE_OPTION_ROWS = 3
_WHOLE = re.compile(r"[+-]?[0-9]{1,9}")


def _choices(labels: dict) -> list:
    return choices((value.value, text) for value, text in labels.items())


class OptionForm(NoCsrfForm):
    option_id = HiddenField()
    label_fr = StringField(_l("Label (French)"))
    label_en = StringField(_l("Label (English)"))
    description_fr = TextAreaField(_l("Description (French, optional)"))
    description_en = TextAreaField(_l("Description (English, optional)"))


class BallotForm(FlaskForm):
    question_fr, question_en = bilingual(
        StringField, _l("Question (French)"), _l("Question (English)"), max_length=300, required=("fr",)
    )
    description_fr, description_en = bilingual(
        TextAreaField, _l("Explanation for voters (French)"), _l("Explanation for voters (English)"), max_length=5000
    )
    method = RadioField(_l("Voting method"), choices=_choices(VOTING_METHOD_LABELS), default="ranking")
    max_choices = optional_number(
        _l("Approval: most options a voter may choose"),
        low=1,
        high=MAX_OPTIONS,
        description=_l("Leave empty to let voters choose as many options as they like."),
    )
    budget = optional_number(
        _l("Points: points each voter spreads"), low=1, high=1_000_000, description=_l("Required for a points vote.")
    )
    max_per_option = optional_number(
        _l("Points: most points on one option"), low=1, high=1_000_000, description=_l("Optional.")
    )
    opens_at = LocalDateTimeField(
        _l("Voting opens at"),
        validators=[Optional()],
        description=_l("Optional: voting starts when the ballot is opened, or at this time if it is later."),
    )
    closes_at = LocalDateTimeField(
        _l("Voting closes at"),
        validators=[Optional()],
        description=_l("Optional: without it, the ballot stays open until a facilitator closes it."),
    )
    eligibility = RadioField(_l("Who votes"), choices=_choices(ELIGIBILITY_LABELS), default="all_partners")
    listed_user_ids = MultiCheckboxField(_l("Listed voters"), coerce=int, validate_choice=False)
    quorum_percent = optional_number(
        _l("Quorum (percentage of eligible voters)"),
        low=1,
        high=100,
        description=_l("Optional: the smallest turnout for the result to be valid."),
    )
    results_visibility = RadioField(
        _l("Results shown to voters"),
        choices=_choices(RESULTS_VISIBILITY_LABELS),
        default="after_close",
        description=_l(
            "Live results move only once 5 more people have voted, without any breakdown by group. Still, the "
            "final result differs from the last live figures by the votes cast since: if fewer than 5 people "
            "voted in that last stretch, whoever saw both can tell what they voted, together. For a strictly "
            "secret vote, show the results once the vote is closed."
        ),
    )
    secret = BooleanField(
        _l("Secret ballot"),
        default=True,
        description=_l(
            "Untick only for a show of hands: facilitators would then see who voted what. It cannot be changed "
            "once the ballot is open."
        ),
    )
    orientation_ids = MultiCheckboxField(
        _l("Orientations ready for a vote"),
        coerce=int,
        validate_choice=False,
        description=_l(
            "Each orientation you tick becomes an option: its title is the label, its statement the description, "
            "and voters can read what it rests on. Typed options below are optional."
        ),
    )
    options = FieldList(FormField(OptionForm), min_entries=MIN_OPTION_ROWS, max_entries=MAX_OPTIONS + 10)
    more_rows = SubmitField(_l("Add option rows"))
    submit = SubmitField(_l("Save the draft"))


def ballot_form_class(rows: int) -> type[BallotForm]:
    """A BallotForm with ``rows`` option rows at least (WTForms needs the count before reading the data)."""
    rows = max(MIN_OPTION_ROWS, min(rows, MAX_OPTIONS + 10))
    return type(
        "SizedBallotForm",
        (BallotForm,),
        {"options": FieldList(FormField(OptionForm), min_entries=rows, max_entries=MAX_OPTIONS + 10)},
    )


class ReceiptForm(FlaskForm):
    receipt = StringField(
        _l("Receipt code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The code shown when you voted, e.g. K7QM-3XDA-9P."),
    )
    submit = SubmitField(_l("Check my ballot"))


class PaperImportForm(FlaskForm):
    file = FileField(
        _l("CSV file of paper ballots"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l("One row per paper ballot, a header row naming the options; see the format below."),
    )
    encoding = SelectField(
        _l("Encoding"),
        choices=choices(
            [
                ("utf-8", _l("UTF-8 (“CSV UTF-8” in Excel, LibreOffice)")),
                ("windows-1252", _l("Windows-1252 (Excel’s plain “CSV” on Windows)")),
            ]
        ),
        default="utf-8",
    )
    submit = SubmitField(_l("Check and import"))


class AdoptForm(FlaskForm):
    option_ids = MultiCheckboxField(_l("Adopted options"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Record the adopted options"))


# --- reading a filled-in ballot ------------------------------------------------------------------------------

FIELD_PREFIX = {
    VotingMethod.POINTS: "points-",
    VotingMethod.RANKING: "rank-",
    VotingMethod.MAJORITY_JUDGMENT: "grade-",
}


def field_name(ballot: Ballot, option_id: int) -> str:
    return f"{FIELD_PREFIX[ballot.method]}{option_id}"


def read_choices(ballot: Ballot, form: Mapping[str, Any]) -> tuple[dict[int, int], list[ChoiceError], dict[str, Any]]:
    """Turn the posted ballot into ``{option id: int}`` for :func:`app.voting.ballots.cast_vote`.

    Returns (choices, errors found while reading, the raw values to show the ballot again as filled). Fields
    naming an option that does not exist are kept in ``choices`` so that the domain check reports them.
    """
    names = {o.id: o for o in ballot.options}
    errors: list[ChoiceError] = []
    result: dict[int, int] = {}
    if ballot.method is VotingMethod.APPROVAL:
        raw = form.getlist("choice") if hasattr(form, "getlist") else list(form.get("choice", []))
        filled = {"choice": [str(v) for v in raw]}
        for value in raw:
            option_id = _int_or_none(value)
            if option_id is None:
                errors.append(ChoiceError(None, _l("Unknown option: %(option)s.", option=str(value)[:40]), "unknown"))
            else:
                result[option_id] = 1
        return result, errors, filled
    prefix = FIELD_PREFIX[ballot.method]
    filled = {}
    for key in form:
        if not key.startswith(prefix):
            continue
        value = str(form.get(key, "")).strip()
        filled[key] = value
        option_id = _int_or_none(key[len(prefix) :])
        if option_id is None:
            errors.append(ChoiceError(None, _l("Unknown option: %(option)s.", option=key[:40]), "unknown"))
            continue
        if value == "":
            continue  # no points, not ranked, no grade
        if not _WHOLE.fullmatch(value):
            known = option_id in names
            label = localized(names[option_id], "label") if known else str(option_id)
            message = _l("The value for %(option)s must be a whole number.", option=label)
            errors.append(ChoiceError(option_id if known else None, message, "not_integer"))
            continue
        result[option_id] = int(value)
    return result, errors, filled


def _int_or_none(value: Any) -> int | None:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:  # "١" (Arabic one) is no option id
        return None
    return int(text)
