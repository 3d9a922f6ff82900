"""``flask tally``: count paper ballots from a CSV file, without the database.

    flask --app wsgi tally --method schulze --input ballots.csv [--json] [--details]

The file format is described in :mod:`app.voting.ballot_csv`. A malformed file prints every error (row and
column) on stderr and exits with status 2, like click's own usage errors.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

import click

from app.voting.ballot_csv import check_ballot_csv, parse_ballot_csv
from app.voting.tally import DEFAULT_GRADES, GRADE_LABELS, METHODS, TallyResult, tally, to_json

MAX_ERRORS_SHOWN = 50

METHOD_NAMES = {
    "approval": "Approval",
    "points": "Points",
    "schulze": "Schulze",
    "borda": "Borda",
    "majority-judgment": "Majority judgment",
}


@click.command("tally")
@click.option("--method", "-m", type=click.Choice(METHODS), required=True, help="Voting method.")
@click.option(
    "--input",
    "-i",
    "input_file",
    type=click.File("rb"),
    required=True,
    help="CSV file of ballots (header row of option names, one ballot per row); - for stdin.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--details", is_flag=True, help="With --json: add the details (pairwise matrix, grade profiles, ties).")
@click.option(
    "--grades",
    type=click.IntRange(min=2),
    default=DEFAULT_GRADES,
    show_default=True,
    help="Majority judgment: number of grades (0 = reject … grades - 1).",
)
@click.pass_context
def tally_command(
    ctx: click.Context, method: str, input_file: BinaryIO, as_json: bool, details: bool, grades: int
) -> None:
    """Tally the ballots of a CSV file and print the ranking and the winners."""
    data = input_file.read()
    errors = check_ballot_csv(data, method, grades=grades, max_errors=MAX_ERRORS_SHOWN + 1)
    if errors:
        name = getattr(input_file, "name", "<stdin>")
        for error in errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"{name}: {error}", err=True)
        if len(errors) > MAX_ERRORS_SHOWN:
            click.echo(f"{name}: more errors not shown.", err=True)
        ctx.exit(2)
    options, ballots = parse_ballot_csv(data, method, grades=grades)
    result = tally(method, options, ballots, grades=grades)
    if as_json:
        click.echo(json.dumps(to_json(result, details=details), ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result, grades=grades))


def format_table(result: TallyResult, *, grades: int = DEFAULT_GRADES) -> str:
    """A plain-text report: method and ballot count, a rank/option/score table, ties broken, winners."""
    rows = [("Rank", "Option", "Score")]
    place = 1
    for group in result.ranking:
        rank = f"{place}=" if len(group) > 1 else str(place)
        rows.extend((rank, option, _score_text(result, option, grades)) for option in group)
        place += len(group)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{METHOD_NAMES[result.method]}: {result.ballots} ballot{'s' if result.ballots != 1 else ''}", ""]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    for tie_break in result.tie_breaks:
        order = " > ".join(" = ".join(group) for group in tie_break["order"])
        lines.append(f"Tie broken by removing median grades (majority judgment): {order}")
    if not result.winners:
        lines.append("No winner: no ballots." if result.ballots == 0 else "No winner.")
    elif len(result.winners) == 1:
        lines.append(f"Winner: {result.winners[0]}")
    else:
        lines.append(f"Tie between the winners: {', '.join(result.winners)}")
    return "\n".join(lines)


def _score_text(result: TallyResult, option: str, grades: int) -> str:
    score: Any = result.scores[option]
    if score is None:
        return "-"
    if result.method == "majority-judgment" and grades == DEFAULT_GRADES:
        return f"{score} ({GRADE_LABELS[score]})"
    return str(score)
