"""CSV exports of a ballot: the anonymous ballots (recountable) and the results.

Both are UTF-8 with a byte-order mark (so that Excel reads the accents), comma-separated, every cell
quoted, produced row by row (generators: the ballots are streamed from the database, never held in memory
as a whole). A cell that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) gets a leading apostrophe.

The ballots file is exactly the format of ``flask --app wsgi tally`` (see :mod:`app.voting.ballot_csv`): a
header row of option names, then one row per counted ballot, in the order of their (random) receipt codes
so the file says nothing about who voted when. Anyone can
recount it::

    flask --app wsgi tally --method schulze --input ballots.csv

It holds no receipt, no source, no sector or territory: nothing but the contents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.exports.export import neutralize
from app.models import Ballot, Cast, VotingMethod
from app.voting.tally import GRADE_LABELS
from app.web.i18n import localized

BOM = "\ufeff"


def _line(cells: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerow([neutralize(c) for c in cells])
    return buffer.getvalue()


def tally_method_name(ballot: Ballot) -> str:
    """The ``--method`` to give ``flask tally`` for this ballot's CSV."""
    return ballot.tally_method


def cells(method: VotingMethod, keys: list[str], contents: dict[str, int]) -> list[str]:
    """One cell per option (``keys`` in order), in the ``flask tally`` format."""
    row = []
    for key in keys:
        value = (contents or {}).get(key)
        if method in (VotingMethod.APPROVAL, VotingMethod.POINTS):
            row.append(str(int(value or 0)))
        else:
            row.append("" if value is None else str(int(value)))
    return row


def ballots_csv(ballot_id: int, language: str) -> Iterator[str]:
    """The anonymous ballots, row by row, read through ``db.session``; the header in ``language``. A generator that
    takes an id: a download streams it after the view has returned, in its own app context (app/web/streaming.py)."""
    ballot = db.session.execute(
        sa.select(Ballot).where(Ballot.id == ballot_id).options(selectinload(Ballot.options))
    ).scalar_one()
    yield BOM + _line(localized(o, "label", language) for o in ballot.options)
    yield from _cast_rows(ballot.id, ballot.method, [o.key for o in ballot.options])


def _cast_rows(ballot_id: int, method: VotingMethod, keys: list[str]) -> Iterator[str]:
    """Rows of the casts, by receipt code. A blank ranking (or grading) is a row of empty cells, which the
    ``flask tally`` format counts wherever it is (a one-option blank is written ``""``)."""
    query = (
        sa.select(Cast.contents)
        .where(Cast.ballot_id == ballot_id)
        .order_by(Cast.receipt)
        .execution_options(yield_per=1000)
    )
    for contents in db.session.execute(query).scalars():
        yield _line(cells(method, keys, contents))


def results_csv(results) -> Iterator[str]:
    """The results table (``results``: :class:`app.voting.results.BallotResults`), in the current language."""
    ballot = results.ballot
    header = [_("Place"), _("Option")]
    if ballot.method is VotingMethod.APPROVAL:
        header += [_("Approvals"), _("Approval rate (%)")]
    elif ballot.method is VotingMethod.POINTS:
        header += [_("Points")]
    elif ballot.method is VotingMethod.RANKING:
        header += [_("Options beaten (Schulze)"), _("Borda points")]
    else:
        header += [_("Median grade"), *(str(label) for label in reversed(GRADE_LABELS[: ballot.grades]))]
    header += [_("Ballots counted"), _("Adopted")]
    yield BOM + _line(header)
    counted = results.counted
    for place, tied, option in results.ranking_rows:
        key = option.key
        row: list[Any] = [f"{place}=" if tied else place, localized(option, "label")]
        scores = results.result.scores
        if ballot.method is VotingMethod.APPROVAL:
            rate = round(100 * scores[key] / counted, 1) if counted else ""
            row += [scores[key], rate]
        elif ballot.method is VotingMethod.POINTS:
            row += [scores[key]]
        elif ballot.method is VotingMethod.RANKING:
            row += [scores[key], results.borda.scores[key]]
        else:
            profile = results.result.details["profiles"][key]
            row += [results.score_text(key), *reversed(profile)]
        row += [counted, _("yes") if option.adopted else _("no")]
        yield _line(row)
