"""``flask tally``: count paper ballots from a CSV file, without the database.

    flask --app wsgi tally --method schulze --input ballots.csv [--json] [--details] [--lang fr|en]
        [--max-choices K] [--budget N] [--max-per-option M] [--encoding utf-8|windows-1252]

The file format is described in :mod:`app.voting.ballot_csv`. A malformed file prints every error (row and
column) on stderr and exits with status 2, like click's own usage errors. The limits of the online ballot
(``--max-choices`` for approval, ``--budget`` and ``--max-per-option`` for points) are checked the same way.
Messages and the table are in ``--lang`` (French by default, like the app); the JSON keys stay English.
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO

import click
from flask import Flask, current_app
from flask_babel import Babel, force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.voting.ballot_csv import ENCODINGS, check_ballot_csv, parse_ballot_csv
from app.voting.tally import COUNTING_RULES, DEFAULT_GRADES, GRADE_LABELS, METHODS, TallyResult, tally, to_json

MAX_ERRORS_SHOWN = 50
LOCALES = {"fr": "fr_CA", "en": "en"}

METHOD_NAMES = {
    "approval": _l("Approval"),
    "points": _l("Points"),
    "schulze": _l("Schulze"),
    "borda": _l("Borda"),
    "majority-judgment": _l("Majority judgment"),
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
@click.option("--max-choices", type=click.IntRange(min=1), default=None, help="Approval: at most K options per ballot.")
@click.option("--budget", type=click.IntRange(min=1), default=None, help="Points: at most N points per ballot.")
@click.option("--max-per-option", type=click.IntRange(min=1), default=None, help="Points: at most M points per option.")
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="utf-8",
    show_default=True,
    help="Encoding of the file (windows-1252: Excel's plain “CSV” on Windows).",
)
@click.option(
    "--lang", type=click.Choice(tuple(LOCALES)), default="fr", show_default=True, help="Language of the messages."
)
@click.pass_context
def tally_command(
    ctx: click.Context,
    method: str,
    input_file: BinaryIO,
    as_json: bool,
    details: bool,
    grades: int,
    max_choices: int | None,
    budget: int | None,
    max_per_option: int | None,
    encoding: str,
    lang: str,
) -> None:
    """Tally the ballots of a CSV file and print the ranking and the winners."""
    limits: dict[str, Any] = {}
    if method == "approval" and max_choices is not None:
        limits["max_choices"] = max_choices
    if method == "points":
        limits.update({k: v for k, v in (("budget", budget), ("max_per_option", max_per_option)) if v is not None})
    data = input_file.read()
    with ExitStack() as stack:
        _enter_language(stack, lang)
        errors = check_ballot_csv(
            data, method, grades=grades, encoding=encoding, max_errors=MAX_ERRORS_SHOWN + 1, **limits
        )
        if errors:
            name = getattr(input_file, "name", "<stdin>")
            for error in errors[:MAX_ERRORS_SHOWN]:
                click.echo(f"{name}: {error}", err=True)
            if len(errors) > MAX_ERRORS_SHOWN:
                more = _("more errors not shown.")
                click.echo(f"{name}: {more}", err=True)
            ctx.exit(2)
        options, ballots = parse_ballot_csv(data, method, grades=grades, encoding=encoding, **limits)
        result = tally(method, options, ballots, grades=grades)
        if as_json:
            click.echo(json.dumps(to_json(result, details=details), ensure_ascii=False, indent=2))
        else:
            click.echo(format_table(result, grades=grades, details=details))


def _enter_language(stack: ExitStack, lang: str) -> None:
    """Speak ``lang``: in the app's context under ``flask``, else (the command called on its own, as the tests
    do) in a bare context that only knows the app's catalogs."""
    if not current_app:
        bare = Flask("tally")
        Babel(bare, default_translation_directories=str(Path(__file__).resolve().parents[1] / "translations"))
        stack.enter_context(bare.app_context())
    stack.enter_context(force_locale(LOCALES[lang]))


def format_table(result: TallyResult, *, grades: int = DEFAULT_GRADES, details: bool = False) -> str:
    """A plain-text report: method and ballot count, a rank/option/score table, ties broken, winners."""
    rows = [(_("Rank"), _("Option"), _("Score"))]
    place = 1
    for group in result.ranking:
        rank = f"{place}=" if len(group) > 1 else str(place)
        rows.extend((rank, option, _score_text(result, option, grades)) for option in group)
        place += len(group)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    count = ngettext("%(num)d ballot", "%(num)d ballots", result.ballots)
    lines = [_("%(method)s: %(count)s", method=METHOD_NAMES[result.method], count=count), ""]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    if details:
        lines += [*(str(rule) for rule in COUNTING_RULES.get(result.method, ())), ""]
    for tie_break in result.tie_breaks:
        order = " > ".join(" = ".join(group) for group in tie_break["order"])
        lines.append(_("Tie broken by removing median grades (majority judgment): %(order)s", order=order))
    if not result.winners:
        lines.append(_("No winner: no ballots.") if result.ballots == 0 else _("No winner."))
    elif len(result.winners) == 1:
        lines.append(_("Winner: %(option)s", option=result.winners[0]))
    else:
        lines.append(_("Tie between the winners: %(options)s", options=", ".join(result.winners)))
    return "\n".join(lines)


def _score_text(result: TallyResult, option: str, grades: int) -> str:
    score: Any = result.scores[option]
    if score is None:
        return "-"
    if result.method == "majority-judgment" and grades == DEFAULT_GRADES:
        return f"{score} ({GRADE_LABELS[score]})"
    return str(score)
