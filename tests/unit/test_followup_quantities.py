from decimal import Decimal

import pytest

from app.followup.errors import FollowupError
from app.followup.quantities import parse_quantity


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("12", "places", Decimal("12")),
        ("12,5", "%", Decimal("12.5")),
        ("45 %", "%", Decimal("45")),
        ("45%", "%", Decimal("45")),
        ("1 200", "personnes", Decimal("1200")),
        ("1\u00a0200,75 $", "$", Decimal("1200.75")),
        ("120 Places", "places", Decimal("120")),
        ("-3", "points", Decimal("-3")),
    ],
)
def test_numbers_in_the_unit_are_read(app, text, unit, expected):
    with app.test_request_context():
        assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize("text", ["douze", "12 km", "12,5,3", "1.200,5", "12 places de plus", "=1+1", "1e9"])
def test_anything_else_is_refused_naming_the_field(app, text):
    with app.test_request_context(), pytest.raises(FollowupError) as refused:
        parse_quantity(text, "places", field="value")
    assert refused.value.field == "value"
    assert "places" in str(refused.value.message)


def test_empty_is_refused_only_when_required(app):
    with app.test_request_context():
        assert parse_quantity("  ", "%", required=False) is None
        with pytest.raises(FollowupError):
            parse_quantity("", "%")
