"""Ballot CSV files: accepted dialects, and every error with its exact row and column."""

import io

import pytest

from app.voting.ballot_csv import BallotFileError, check_ballot_csv, column_letter, parse_ballot_csv
from app.voting.tally import tally


def error_of(text, method, **kwargs) -> BallotFileError:
    with pytest.raises(BallotFileError) as caught:
        parse_ballot_csv(text, method, **kwargs)
    return caught.value


def where(error: BallotFileError):
    return error.row, error.column, error.code


# --- accepted files --------------------------------------------------------------------------------------


def test_ranked_file_with_bom_semicolons_crlf_and_trailing_empty_lines():
    text = "\ufeffMemphis;Nashville;Chattanooga;Knoxville\r\n1;2;3;4\r\n4;1;2;3\r\n;;1;\r\n;;;\r\n\r\n\r\n"
    options, ballots = parse_ballot_csv(text, "schulze")
    assert options == ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
    assert ballots == [
        {"Memphis": 1, "Nashville": 2, "Chattanooga": 3, "Knoxville": 4},
        {"Memphis": 4, "Nashville": 1, "Chattanooga": 2, "Knoxville": 3},
        {"Chattanooga": 1},
        {},  # the blank ballot of the last line counts
    ]


def test_utf8_bytes_with_bom_and_quoted_names():
    text = '"Parc, phase 2",Bibliothèque,"Le ""Quai"""\n1,,0\n1,1,1\n'
    options, ballots = parse_ballot_csv(("\ufeff" + text).encode(), "approval")
    assert options == ["Parc, phase 2", "Bibliothèque", 'Le "Quai"']
    assert ballots == [frozenset({"Parc, phase 2"}), frozenset(options)]


def test_semicolon_file_whose_names_contain_commas():
    options, ballots = parse_ballot_csv('"A, b";"C, d"\n1;0\n', "approval")
    assert options == ["A, b", "C, d"]
    assert ballots == [frozenset({"A, b"})]


def test_text_file_object_and_trimmed_cells():
    options, ballots = parse_ballot_csv(io.StringIO(" A , B \n 3 , \n"), "points")
    assert options == ["A", "B"]
    assert ballots == [{"A": 3, "B": 0}]


def test_majority_judgment_empty_cell_means_no_grade():
    options, ballots = parse_ballot_csv("A,B\n5,\n0,3\n", "majority-judgment")
    assert ballots == [{"A": 5}, {"A": 0, "B": 3}]
    assert tally("majority-judgment", options, ballots).details["profiles"]["B"] == [1, 0, 0, 1, 0, 0]


def test_header_only_is_zero_ballots():
    assert parse_ballot_csv("A;B\n", "borda") == (["A", "B"], [])


def test_blank_ballot_row_is_a_ballot():
    assert parse_ballot_csv("A,B\n,\n1,\n", "approval") == (["A", "B"], [frozenset(), frozenset({"A"})])


def test_single_option_file_keeps_empty_rows_as_empty_cells():
    assert parse_ballot_csv("A\n1\n\n1\n", "approval") == (["A"], [frozenset({"A"}), frozenset(), frozenset({"A"})])


def test_option_names_are_normalized_to_nfc():
    options, _ = parse_ballot_csv("Bibliothe\u0300que\n1\n", "approval")
    assert options == ["Bibliothèque"]


def test_parse_then_tally_tennessee():
    rows = ["Memphis,Nashville,Chattanooga,Knoxville"]
    rows += ["1,2,3,4"] * 42 + ["4,1,2,3"] * 26 + ["4,3,1,2"] * 15 + ["4,3,2,1"] * 17
    options, ballots = parse_ballot_csv("\n".join(rows), "borda")
    assert tally("borda", options, ballots).scores == {
        "Memphis": 126,
        "Nashville": 194,
        "Chattanooga": 173,
        "Knoxville": 107,
    }


# --- errors, each at its exact row and column ------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\ufeff", "\n\n", "\r\n \r\n", ",,\n,,\n"])
def test_empty_file(text):
    assert where(error_of(text, "approval")) == (1, None, "empty_file")


def test_empty_header_row():
    assert where(error_of("\n1,2\n", "borda")) == (1, None, "empty_header")


def test_empty_header_cell_is_named_by_letter():
    error = error_of("A,,C\n1,0,1\n", "approval")
    assert where(error) == (1, "B", "empty_option")
    assert str(error) == "Row 1, column B: The option name is empty."


def test_duplicated_option_name():
    error = error_of("A;B;A\n", "points")
    assert where(error) == (1, "C", "duplicate_option")
    assert str(error) == "Row 1, column C: The option name “A” is already used by column A."


def test_too_few_cells_names_the_first_missing_option():
    error = error_of("A,B,C\n1,2,3\n1,2\n", "borda")
    assert where(error) == (3, "C", "cell_count")
    assert str(error) == "Row 3, column “C”: The row has 2 cells instead of 3."


def test_too_many_cells_names_the_first_extra_column():
    assert where(error_of("A,B\n1,0\n1,0,1\n", "approval")) == (3, "C", "cell_count")


def test_empty_line_in_the_middle():
    assert where(error_of("A,B\n1,2\n\n2,1\n", "schulze")) == (3, None, "empty_row")


def test_non_integer():
    error = error_of("Parc,Piste\n3,2\n1,deux\n", "points")
    assert where(error) == (3, "Piste", "not_integer")
    assert str(error) == "Row 3, column “Piste”: Expected a whole number, not “deux”."
    assert where(error_of("A,B\n1.5,2\n", "schulze")) == (2, "A", "not_integer")


def test_approval_cell_must_be_one_or_zero():
    assert where(error_of("A,B\n1,x\n", "approval")) == (2, "B", "not_approval")
    assert where(error_of("A,B\n2,1\n", "approval")) == (2, "A", "not_approval")


@pytest.mark.parametrize("method", ["points", "schulze", "borda", "majority-judgment"])
def test_negative(method):
    assert where(error_of("A,B\n1,2\n1,-2\n", method)) == (3, "B", "negative")


def test_rank_zero():
    assert where(error_of("A,B\n0,1\n", "borda")) == (2, "A", "rank_not_positive")


@pytest.mark.parametrize("method", ["schulze", "borda"])
def test_rank_duplicated_within_a_row(method):
    error = error_of("A,B,C\n1,2,3\n2,1,1\n", method)
    assert where(error) == (3, "C", "duplicate_rank")
    assert str(error) == "Row 3, column “C”: Rank 1 is given to both B and C."


def test_rank_gap():
    assert where(error_of("A,B,C\n1,,3\n", "schulze")) == (2, "C", "rank_gap")


def test_grade_out_of_range():
    error = error_of("A,B\n5,6\n", "majority-judgment")
    assert where(error) == (2, "B", "grade_out_of_range")
    assert str(error) == "Row 2, column “B”: The grade of B must be between 0 and 5, not 6."
    assert where(error_of("A,B\n2,3\n", "majority-judgment", grades=3)) == (2, "B", "grade_out_of_range")


def test_question_limits_are_enforced_when_given():
    assert where(error_of("A,B,C\n1,1,0\n1,1,1\n", "approval", max_choices=2)) == (3, None, "too_many_choices")
    assert where(error_of("A,B\n3,3\n", "points", budget=5)) == (2, None, "over_budget")
    assert where(error_of("A,B\n1,4\n", "points", max_per_option=3)) == (2, "B", "over_max_per_option")
    assert str(error_of("A,B\n3,3\n", "points", budget=5)) == "Row 2: 6 points are given out of a budget of 5 points."


def test_not_utf8():
    error = error_of("A,B\n1,0\nCaf\xe9,1\n".encode("latin-1"), "approval")
    assert where(error) == (3, "A", "encoding")


def test_unknown_method_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown voting method"):
        parse_ballot_csv("A\n1\n", "plurality")


def test_error_is_a_value_error_with_a_dict_form():
    error = error_of("A,B\n1,x\n", "points")
    assert isinstance(error, ValueError)
    assert error.to_dict() == {
        "row": 2,
        "column": "B",
        "code": "not_integer",
        "message": "Expected a whole number, not “x”.",
    }


# --- collecting every error ------------------------------------------------------------------------------


def test_check_collects_every_error_in_order():
    text = "A,B,C\n1,2,3\nx,1,1\n1,2\n\n-1,,4\n1,2,3\n"
    errors = check_ballot_csv(text, "schulze")
    assert [where(e) for e in errors] == [
        (3, "A", "not_integer"),
        (4, "C", "cell_count"),
        (5, None, "empty_row"),
        (6, "A", "negative"),
    ]
    assert [where(e) for e in check_ballot_csv(text, "schulze", max_errors=2)] == [where(e) for e in errors[:2]]
    assert check_ballot_csv("A,B\n1,2\n", "schulze") == []


def test_check_reports_cell_errors_even_with_a_broken_header():
    errors = check_ballot_csv("A,,A\n1,x,1\n1,1,1\n", "schulze")
    assert [where(e) for e in errors] == [
        (1, "B", "empty_option"),
        (1, "C", "duplicate_option"),
        (2, "B", "not_integer"),
    ]


def test_both_duplicate_ranks_in_a_row_are_reported():
    errors = check_ballot_csv("A,B,C,D\n1,1,2,2\n", "borda")
    assert [where(e) for e in errors] == [(2, "B", "duplicate_rank"), (2, "D", "duplicate_rank")]


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letter(index, letter):
    assert column_letter(index) == letter
