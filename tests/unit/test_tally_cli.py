"""The ``tally`` command, run through click's test runner: no app, no database."""

import json

import pytest
from click.testing import CliRunner

from app.voting.tally_cli import tally_command

WIKI_45 = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


@pytest.fixture
def wiki_csv(tmp_path):
    """The 45-voter Schulze example as a semicolon CSV with a BOM (one column per candidate, cells = ranks)."""
    rows = ["A;B;C;D;E"]
    for count, order in WIKI_45:
        rows += [";".join(str(order.index(option) + 1) for option in "ABCDE")] * count
    path = tmp_path / "ballots.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8-sig")
    return path


def run(*args, input=None):
    return CliRunner().invoke(tally_command, list(args), input=input)


def test_json_output_is_exact(tmp_path):
    path = tmp_path / "approval.csv"
    path.write_text("Parc,Bibliothèque,Quai\n1,1,0\n0,1,0\n1,,1\n", encoding="utf-8")
    result = run("--method", "approval", "--input", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "method": "approval",
        "ballots": 3,
        "winners": ["Parc", "Bibliothèque"],
        "ranking": [["Parc", "Bibliothèque"], ["Quai"]],
        "scores": {"Parc": 2, "Bibliothèque": 2, "Quai": 1},
    }
    assert "Bibliothèque" in result.stdout  # ensure_ascii=False
    assert result.stdout == json.dumps(json.loads(result.stdout), ensure_ascii=False, indent=2) + "\n"


def test_json_schulze_and_details(wiki_csv):
    result = run("-m", "schulze", "-i", str(wiki_csv), "--json", "--details")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["winners"] == ["E"]
    assert data["ranking"] == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert data["ballots"] == 45
    assert data["details"]["pairwise"]["A"]["B"] == 20
    assert data["details"]["strongest_paths"]["E"]["D"] == 31
    assert data["details"]["ties"] == []


def test_table_output_contains_the_winner(wiki_csv):
    result = run("--method", "schulze", "--input", str(wiki_csv), "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Schulze: 45 ballots"
    assert lines[2].split() == ["Rank", "Option", "Score"]
    assert [line.split() for line in lines[3:8]] == [
        ["1", "E", "4"],
        ["2", "A", "3"],
        ["3", "C", "2"],
        ["4", "B", "1"],
        ["5", "D", "0"],
    ]
    assert lines[-1] == "Winner: E"


def test_table_shows_ties_and_majority_judgment_tie_breaks(tmp_path):
    path = tmp_path / "mj.csv"
    path.write_text("X,Y,Z\n3,5,3\n3,2,3\n2,2,2\n1,2,1\n", encoding="utf-8")
    result = run("-m", "majority-judgment", "-i", str(path), "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[3:6] == ["1=    X       2 (Fair)", "1=    Z       2 (Fair)", "3     Y       2 (Fair)"]
    assert "Tie broken by removing median grades (majority judgment): X = Z > Y" in result.stdout
    assert result.stdout.splitlines()[-1] == "Tie between the winners: X, Z"


def test_stdin_and_no_ballots():
    result = run("-m", "borda", "-i", "-", "--lang", "en", input="A,B\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Borda: 0 ballots"
    assert result.stdout.splitlines()[-1] == "No winner: no ballots."


def test_malformed_file_exits_2_naming_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("A,B,C\n1,2,3\n2,1,1\n1,2,x\n", encoding="utf-8")
    result = run("--method", "borda", "--input", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: Row 3, column “C”: Rank 1 is given to both B and C.",
        f"{path}: Row 4, column “C”: Expected a whole number, not “x”.",
    ]


def test_empty_file_exits_2(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run("-m", "points", "-i", str(path), "--json", "--lang", "en")
    assert result.exit_code == 2
    assert "Row 1: The file is empty." in result.stderr


def test_unknown_method_is_rejected_by_click(wiki_csv):
    result = run("--method", "plurality", "--input", str(wiki_csv))
    assert result.exit_code == 2
    assert "plurality" in result.stderr


def test_missing_file_is_rejected_by_click(tmp_path):
    result = run("--method", "borda", "--input", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2


def test_command_is_named_tally():
    assert tally_command.name == "tally"


# --- issue 15: the file read the same whatever the ballot order; what the web checks; the person's language ---

MJ_BLANK_LAST = "A;B\n5;2\n5;2\n0;3\n;\n"
MJ_BLANK_FIRST = "A;B\n;\n5;2\n5;2\n0;3\n"


@pytest.mark.parametrize("text", [MJ_BLANK_LAST, MJ_BLANK_FIRST])
def test_a_blank_ballot_counts_as_reject_wherever_it_is(text):
    # Without the blank ballot A wins (median 5 against 2); with it (4 ballots, lower median) B wins.
    result = run("-m", "majority-judgment", "-i", "-", "--json", input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ballots"] == 4
    assert data["winners"] == ["B"]


def test_a_one_option_file_counts_an_empty_last_line_as_a_blank_ballot():
    result = run("-m", "approval", "-i", "-", "--json", input="A\n1\n\n")
    assert json.loads(result.stdout)["ballots"] == 2
    result = run("-m", "approval", "-i", "-", "--json", input="A\n\n1\n")
    assert json.loads(result.stdout)["ballots"] == 2


def test_several_options_ignore_empty_lines_after_the_last_ballot():
    result = run("-m", "approval", "-i", "-", "--json", input="A;B\n1;0\n\n\n")
    assert json.loads(result.stdout)["ballots"] == 1


def test_semicolon_file_with_a_comma_in_an_option_name():
    text = "Parc, phase 2;Bibliothèque\n1;0\n1;1\n"
    result = run("-m", "approval", "-i", "-", "--json", input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scores"] == {"Parc, phase 2": 2, "Bibliothèque": 1}


def test_tab_separated_file_is_read():
    result = run("-m", "points", "-i", "-", "--json", input="Parc\tQuai\n3\t2\n1\t4\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scores"] == {"Parc": 4, "Quai": 6}


def test_an_unclosed_quote_is_named_with_its_row_and_column():
    result = run("-m", "approval", "-i", "-", "--lang", "en", input='A,B\n1,0\n1,"1\n0,1\n')
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "<stdin>: Row 3, column “B”: This cell opens a quotation mark that is never closed, so the lines after it "
        "were read into it. Close the quotation mark or remove it."
    ]


def test_a_windows_1252_file_is_refused_with_the_fix_then_read_when_asked(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("Parc;Bibliothèque\r\n1;0\r\n0;1\r\n1;1\r\n".encode("cp1252"))
    result = run("-m", "approval", "-i", str(path), "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}: Row 1, column B: The file is not in UTF-8 (it is probably in Windows-1252, as Excel saves a "
        "“CSV” file). Save it as “CSV UTF-8”, or read it as Windows-1252 (the “Encoding” choice of the import page, "
        "the option --encoding windows-1252 of flask tally)."
    ]
    result = run("-m", "approval", "-i", str(path), "--encoding", "windows-1252", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scores"] == {"Parc": 2, "Bibliothèque": 2}


def test_max_choices_is_checked_like_on_the_web():
    result = run("-m", "approval", "-i", "-", "--max-choices", "1", "--lang", "en", input="A,B\n1,0\n1,1\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["<stdin>: Row 3: At most 1 option can be chosen; 2 are."]


def test_budget_and_max_per_option_are_checked_like_on_the_web():
    text = "A,B\n3,2\n6,0\n4,3\n"
    result = run("-m", "points", "-i", "-", "--budget", "6", "--max-per-option", "5", "--lang", "en", input=text)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "<stdin>: Row 3, column “A”: A gets 6 points; at most 5 points per option are allowed.",
        "<stdin>: Row 4: 7 points are given out of a budget of 6 points.",
    ]


def test_grade_labels_are_accepted_as_well_as_numbers():
    text = "A;B\nExcellent;insuffisant\nÀ rejeter;Good\n5;Passable\n"
    result = run("-m", "majority-judgment", "-i", "-", "--json", "--details", input=text)
    assert result.exit_code == 0, result.output
    profiles = json.loads(result.stdout)["details"]["profiles"]
    assert profiles == {"A": [1, 0, 0, 0, 0, 2], "B": [0, 1, 1, 0, 1, 0]}


def test_messages_are_in_french_by_default():
    result = run("-m", "schulze", "-i", "-", input="A,B\n1,x\n")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["<stdin>: Ligne 2, colonne « B » : Attendu : un nombre entier, et non « x »."]
    result = run("-m", "schulze", "-i", "-", input="A,B\n1,2\n")
    assert result.stdout.splitlines()[0] == "Schulze : 1 bulletin"
    assert result.stdout.splitlines()[-1] == "Gagnant : A"


def test_details_state_the_schulze_link_strength_rule(wiki_csv):
    result = run("-m", "schulze", "-i", str(wiki_csv), "--details", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert (
        "Strength of a link (Schulze): winning votes, the number of ballots preferring A to B when more ballots "
        "prefer A to B than B to A; no link otherwise. Ties between paths are not broken further." in result.stdout
    )
    data = json.loads(run("-m", "schulze", "-i", str(wiki_csv), "--json", "--details").stdout)
    assert data["details"]["link_strength"] == "winning_votes"
