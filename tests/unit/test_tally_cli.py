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
    result = run("--method", "schulze", "--input", str(wiki_csv))
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
    result = run("-m", "majority-judgment", "-i", str(path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[3:6] == ["1=    X       2 (Fair)", "1=    Z       2 (Fair)", "3     Y       2 (Fair)"]
    assert "Tie broken by removing median grades (majority judgment): X = Z > Y" in result.stdout
    assert result.stdout.splitlines()[-1] == "Tie between the winners: X, Z"


def test_stdin_and_no_ballots():
    result = run("-m", "borda", "-i", "-", input="A,B\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Borda: 0 ballots"
    assert result.stdout.splitlines()[-1] == "No winner: no ballots."


def test_malformed_file_exits_2_naming_row_and_column(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("A,B,C\n1,2,3\n2,1,1\n1,2,x\n", encoding="utf-8")
    result = run("--method", "borda", "--input", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}: Row 3, column “C”: Rank 1 is given to both B and C.",
        f"{path}: Row 4, column “C”: Expected a whole number, not “x”.",
    ]


def test_empty_file_exits_2(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run("-m", "points", "-i", str(path), "--json")
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
