"""The shared field declarations of app/web/form_fields.py, through plain WTForms forms (no app needed)."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField

from app.web.form_fields import BoundedIntegerField, bilingual, optional_number, slug_field

COUNT_MESSAGE = "Enter a whole number from 0 to 500."


class Sample(Form):
    title_fr, title_en = bilingual(StringField, "Title (French)", "Title (English)", max_length=10, required=("fr",))
    intro_fr, intro_en = bilingual(TextAreaField, "Intro (French)", "Intro (English)", max_length=20)
    minutes = optional_number("Minutes", low=1, high=600)
    slug = slug_field("Address", "Lowercase letters, digits and hyphens only.", "The address.")
    count = BoundedIntegerField("People", maximum=500, message=COUNT_MESSAGE)


def _errors(**data: str) -> dict[str, list[str]]:
    form = Sample(formdata=MultiDict({"title_fr": "Titre", "slug": "plan-2024", **data}))
    form.validate()
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_a_valid_form_has_no_error_and_keeps_its_field_order():
    assert _errors(count="12", minutes="30") == {}
    names = [field.name for field in Sample()]
    assert names == ["title_fr", "title_en", "intro_fr", "intro_en", "minutes", "slug", "count"]
    assert Sample().title_en.label.text == "Title (English)"


def test_bilingual_requires_only_the_languages_named_and_limits_both():
    assert list(_errors(title_fr="")) == ["title_fr"]
    assert _errors(title_en="", intro_fr="", intro_en="") == {}
    assert list(_errors(title_en="x" * 11, intro_fr="x" * 21)) == ["title_en", "intro_fr"]


def test_optional_number_accepts_nothing_or_its_range():
    assert _errors(minutes="") == {}
    assert list(_errors(minutes="0")) == ["minutes"]
    assert list(_errors(minutes="601")) == ["minutes"]


def test_slug_field_gives_its_message_for_anything_but_a_slug():
    assert _errors(slug="Plan 2024") == {"slug": ["Lowercase letters, digits and hyphens only."]}
    assert list(_errors(slug="a" * 81)) == ["slug"]
    assert _errors(slug="a" * 80) == {}


@pytest.mark.parametrize("typed", ["douze", "-3", "501", "2.5"])
def test_a_bounded_count_has_one_message_whatever_is_wrong(typed):
    assert _errors(count=typed) == {"count": [COUNT_MESSAGE]}


def test_a_bounded_count_may_be_left_empty_or_be_zero():
    assert _errors(count="") == {}
    assert _errors(count="0") == {}
