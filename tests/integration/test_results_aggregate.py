"""Results computed in SQL on known answers (tests/support/results_data.py): exact counts, percentages, statistics,
every filter and their combination, the small-count guard, cross-tabulation and medians (SQLite and PostgreSQL)."""

from datetime import UTC, date
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from app.results import aggregate
from app.results.aggregate import medians, survey_results
from app.results.filters import ResultFilters, parse_filters
from tests.support.results_data import add_response, build_results_survey

QUEBEC = ZoneInfo("America/Toronto")


@pytest.fixture(autouse=True)
def _english():
    """Labels made by the domain ("Other", "Yes") in English, whatever the default locale."""
    with force_locale("en"):
        yield


@pytest.fixture
def data(create_survey, create_territory):
    return build_results_survey(create_survey, create_territory)


def _territories(data):
    return {t.id: t for t in data.territories.values()}


def _results(data, filters=None, min_count=5):
    return survey_results(data.survey, filters or ResultFilters(), _territories(data), min_count=min_count, zone=QUEBEC)


def _by_code(results):
    return {r.question.code: r for r in results.questions}


def _rows(result):
    return [
        (row.label, row.count, round(row.percent * 100, 1) if row.percent is not None else None) for row in result.rows
    ]


def _filters(data, **args):
    filters, errors = parse_filters(args, data.survey, _territories(data))
    assert errors == []
    return filters


def test_counts_and_percentages_per_question(data):
    results = _results(data)
    assert results.total == 12
    q = _by_code(results)
    assert [(q[c].answered, q[c].skipped) for c in ("age", "needs", "rating", "when", "comment")] == [
        (12, 0),
        (11, 1),
        (11, 1),
        (6, 6),
        (6, 6),
    ]
    assert _rows(q["age"]) == [("0-2", 5, 41.7), ("3-5", 3, 25.0), ("6-8", 2, 16.7), ("Other", 2, 16.7)]
    assert q["age"].other_count == 2
    assert sorted(q["age"].other_texts) == ["grand-parent", "tante"]
    # Multiple choice: percentage of those who answered the question (11), adding up to more than 100.
    assert _rows(q["needs"]) == [("garde", 7, 63.6), ("lecture", 5, 45.5), ("transport", 3, 27.3)]
    assert _rows(q["works"]) == [("Yes", 8, 66.7), ("No", 4, 33.3)]
    assert _rows(q["where"]) == [("Territoire A", 6, 50.0), ("Territoire B", 6, 50.0), ("Territoire C", 0, 0.0)]


def test_scales_and_numbers(data):
    q = _by_code(_results(data))
    rating = q["rating"]
    assert _rows(rating) == [("1", 1, 9.1), ("2", 2, 18.2), ("3", 2, 18.2), ("4", 3, 27.3), ("5", 3, 27.3)]
    assert rating.stats.count == 11
    assert rating.stats.mean == pytest.approx(38 / 11)
    assert rating.stats.median == 4
    assert (rating.stats.minimum, rating.stats.maximum) == (1, 5)
    kids = q["kids"]
    assert kids.stats.mean == pytest.approx(31 / 12)
    assert kids.stats.median == 2.5  # even count: the mean of the 6th and 7th values (2 and 3)
    assert [(row.label, row.count) for row in kids.rows] == [
        ("0", 1),
        ("1", 3),
        ("2", 2),
        ("3", 3),
        ("4", 1),
        ("5", 1),
        ("6", 1),
    ]


def test_ranking_matrix_dates_and_texts(data):
    q = _by_code(_results(data))
    ranking = [(r.label, round(r.average, 4), r.first, r.ranked) for r in q["rank"].ranking]
    assert ranking == [("a", round(19 / 12, 4), 7, 12), ("b", 2.0, 3, 12), ("c", round(29 / 12, 4), 2, 12)]
    grid = [(row.label, row.answered, [(c.label, c.count) for c in row.cells]) for row in q["grid"].matrix]
    assert grid == [("r1", 12, [("low", 8), ("high", 4)]), ("r2", 12, [("low", 4), ("high", 8)])]
    assert round(q["grid"].matrix[0].cells[0].percent, 4) == round(8 / 12, 4)
    when = q["when"]
    assert (when.earliest, when.latest) == (date(2024, 1, 15), date(2024, 3, 1))
    months = [(row.label, row.count) for row in when.rows]
    assert months == [("January 2024", 2), ("February 2024", 3), ("March 2024", 1)]
    assert q["comment"].answered == 6
    assert q["comment"].approved_texts == 3  # the pending one is not counted
    assert q["note"].answered == 2 and q["note"].hidden  # fewer than 5 answers


@pytest.mark.parametrize(
    ("args", "total", "age"),
    [
        ({"territory": "A"}, 6, [2, 2, 1, 1]),
        ({"territory": "B"}, 6, [3, 1, 1, 1]),
        ({"segment": "age:0-2"}, 5, [5, 0, 0, 0]),
        ({"attribute": "group=parents"}, 7, [3, 2, 1, 1]),
        ({"attribute": "group=employers"}, 5, [2, 1, 1, 1]),
        ({"date_from": "2024-05-10"}, 6, [3, 1, 1, 1]),
        ({"date_to": "2024-05-03"}, 6, [2, 2, 1, 1]),
        ({"date_field": "started", "date_from": "2024-05-02", "date_to": "2024-05-10"}, 6, [1, 3, 1, 1]),
        ({"language": "fr"}, 9, [4, 2, 1, 2]),
        ({"status": "all"}, 14, [7, 3, 2, 2]),
        ({"status": "complete"}, 12, [5, 3, 2, 2]),
        # Combinations: every filter applies at once.
        ({"territory": "A", "attribute": "group=parents"}, 5, [2, 2, 1, 0]),
        ({"status": "all", "territory": "A", "language": "fr"}, 7, [4, 1, 1, 1]),
        ({"segment": "needs:garde", "language": "fr", "date_to": "2024-05-11"}, 5, [3, 1, 0, 1]),
    ],
)
def test_filters(data, args, total, age):
    args = dict(args)
    if "territory" in args:
        args["territory"] = str(data.territories[args["territory"]].id)
    if "segment" in args:
        code, choice = args["segment"].split(":")
        question = data.question(code)
        args["segment"] = f"{question.id}:{next(c.id for c in question.choices if c.code == choice)}"
    results = _results(data, _filters(data, **args))
    assert results.total == total
    assert not results.hidden
    assert [row.count for row in _by_code(results)["age"].rows] == age


def test_territory_filter_also_matches_the_invitation_territory(data):
    add_response(data.survey, [], submitted=data.responses[0].submitted_at, attributes={"territory": "TC"})
    filters = _filters(data, territory=str(data.territories["C"].id))
    assert aggregate.count_responses(data.survey, filters) == 1


def test_small_count_guard_hides_a_small_segment(data):
    filters = _filters(data, language="en")  # responses 4, 7 and 10
    results = _results(data, filters)
    assert results.total == 3
    assert results.hidden
    assert all(r.hidden and not r.rows and r.stats is None for r in results.questions)
    # The threshold is a setting.
    assert not _results(data, filters, min_count=3).hidden
    # A combination that leaves four responses is hidden too.
    filters = _filters(data, territory=str(data.territories["B"].id), language="fr")
    assert _results(data, filters).total == 4 and _results(data, filters).hidden


def test_invalid_filters_are_reported_not_applied(data):
    filters, errors = parse_filters(
        {
            "territory": "999999",
            "segment": "abc",
            "attribute": "no-equal-sign",
            "date_from": "31/05/2024",
            "language": "de",
            "status": "maybe",
            "date_field": "x",
        },
        data.survey,
        _territories(data),
    )
    assert sorted(e.field for e in errors) == [
        "attribute",
        "date_field",
        "date_from",
        "language",
        "segment",
        "status",
        "territory",
    ]
    assert filters == ResultFilters()
    _, errors = parse_filters({"date_from": "2024-05-10", "date_to": "2024-05-01"}, data.survey, {})
    assert [e.field for e in errors] == ["date_to"]
    _, errors = parse_filters({"attribute": 'a"b=c'}, data.survey, {})
    assert [e.field for e in errors] == ["attribute"]


def test_crosstab_counts_and_percentages(data):
    age, where = data.question("age"), data.question("where")
    table = aggregate.crosstab(data.survey, ResultFilters(), age, where, _territories(data), zone=QUEBEC)
    a, b, c = (data.territories[k].id for k in "ABC")
    zero_two = next(ch.id for ch in age.choices if ch.code == "0-2")
    three_five = next(ch.id for ch in age.choices if ch.code == "3-5")
    assert table.total == 12
    assert (table.count(zero_two, a), table.count(zero_two, b), table.count(zero_two, c)) == (2, 3, 0)
    assert table.row_totals[zero_two] == 5
    assert table.column_totals == {a: 6, b: 6}
    assert table.row_percent(zero_two, a) == pytest.approx(0.4)
    assert table.row_percent(zero_two, b) == pytest.approx(0.6)
    assert table.column_percent(zero_two, a) == pytest.approx(2 / 6)
    assert table.column_percent(zero_two, b) == pytest.approx(0.5)
    assert [cat.label for cat in table.rows] == ["0-2", "3-5", "6-8", "Other"]
    assert table.count(aggregate.OTHER_KEY, a) == 1
    # Small groups: the 3-5 row (3 respondents) is hidden, the 0-2 row (5) is shown.
    assert table.row_hidden(three_five) and table.cell_hidden(three_five, a)
    assert not table.cell_hidden(zero_two, a)


def test_crosstab_of_multiple_choice_and_yes_no(data):
    needs, works = data.question("needs"), data.question("works")
    table = aggregate.crosstab(data.survey, ResultFilters(), needs, works, {}, zone=QUEBEC)
    garde, lecture, transport = (c.id for c in needs.choices)
    assert table.total == 11  # response 10 chose no need
    assert [(table.count(k, 1), table.count(k, 0)) for k in (garde, lecture, transport)] == [(6, 1), (2, 3), (1, 2)]
    assert table.row_totals == {garde: 7, lecture: 5, transport: 3}
    assert table.column_totals == {1: 7, 0: 4}
    assert table.column_hidden(0) and not table.column_hidden(1)
    assert table.row_percent(garde, 1) == pytest.approx(6 / 7)


def test_crosstab_respects_filters_and_hides_a_small_total(data):
    filters = _filters(data, language="en")
    table = aggregate.crosstab(data.survey, filters, data.question("age"), data.question("works"), {}, zone=QUEBEC)
    assert table.total == 3 and table.hidden


@pytest.mark.parametrize(
    ("values", "expected"),
    [([7], 7.0), ([3, 1], 2.0), ([5, 1, 3], 3.0), ([10, 2, 4, 8], 6.0), ([1, 1, 2, 9, 100], 2.0), ([1.5, 2.25], 1.875)],
)
def test_median_on_this_database(create_survey, values, expected):
    """percentile_cont on PostgreSQL, row numbers on SQLite: the same medians."""
    survey = create_survey([{"questions": [{"code": "n", "type": "numeric", "settings": {"decimal": True}}]}])
    question = survey.question("n")
    from datetime import datetime
    from decimal import Decimal

    for value in values:
        add_response(
            survey,
            [{"question_id": question.id, "number_value": Decimal(str(value))}],
            submitted=datetime(2024, 5, 1, tzinfo=UTC),
        )
    assert medians([question.id], survey, ResultFilters()) == {question.id: pytest.approx(expected)}


def test_no_response_gives_empty_results(create_survey):
    survey = create_survey([{"questions": [{"code": "q", "type": "single_choice", "choices": ["a", "b"]}]}])
    results = survey_results(survey, ResultFilters(), {})
    assert results.total == 0
    assert [(r.answered, r.rows) for r in results.questions] == [(0, [])]
