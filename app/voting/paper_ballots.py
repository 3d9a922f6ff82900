"""Importing paper ballots (e.g. from an assembly) from a CSV file in the ``flask tally`` format.

All or nothing: the whole file is checked first (:func:`app.voting.ballot_csv.check_ballot_csv`, plus the
header must name the ballot's options, in French or in English); only a file without a single error is
imported, every row becoming a ``paper`` cast with its own receipt code, in the caller's transaction. The
same file (same bytes) cannot be imported twice into one ballot.
"""

from __future__ import annotations

import csv
import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.compliance import audit
from app.core.extensions import db
from app.exports.export import unneutralize
from app.models import Ballot, BallotStatus, Cast, CastSource, PaperImport, User, VotingMethod
from app.models.voting import new_cast_id
from app.voting.ballot_csv import (
    BallotFileError,
    check_ballot_csv,
    column_letter,
    decode,
    parse_ballot_csv,
    read_records,
)
from app.voting.ballots import VotingError, new_receipt, normalize_label

MAX_ERRORS = 200


class PaperImportRejected(VotingError):
    """The file has errors (``errors``, at most MAX_ERRORS; ``more`` when there were others)."""

    def __init__(self, errors: list[BallotFileError], more: bool = False) -> None:
        super().__init__(_l("The file has errors; no ballot was imported."), code="file_errors")
        self.errors = errors
        self.more = more


@dataclass(frozen=True)
class PaperImportResult:
    record: PaperImport
    imported: int


def csv_settings(ballot: Ballot) -> dict[str, Any]:
    settings: dict[str, Any] = {"grades": ballot.grades}
    if ballot.max_choices is not None:
        settings["max_choices"] = ballot.max_choices
    if ballot.budget is not None:
        settings["budget"] = ballot.budget
    if ballot.max_per_option is not None:
        settings["max_per_option"] = ballot.max_per_option
    return settings


def _header(data: bytes, encoding: str) -> list[str] | None:
    try:
        records = read_records(decode(data, encoding))
    except (UnicodeDecodeError, csv.Error):
        return None
    first = records[0] if records else None
    return [unicodedata.normalize("NFC", cell.strip()) for cell in first] if first else None


def match_columns(ballot: Ballot, header: list[str]) -> tuple[dict[str, str], list[BallotFileError]]:
    """Map each header name to an option key (French or English label, case and accents' composition do
    not matter); errors for unknown columns and for options without a column."""
    lookup: dict[str, str] = {}
    for option in ballot.options:
        for label in (option.label_fr, option.label_en):
            if label:
                lookup.setdefault(normalize_label(label), option.key)
    mapping: dict[str, str] = {}
    errors: list[BallotFileError] = []
    used: set[str] = set()
    for col, name in enumerate(header):
        if not name:
            continue  # reported by check_ballot_csv
        key = lookup.get(normalize_label(unneutralize(name)))
        if key is None:
            errors.append(
                BallotFileError(
                    1,
                    name,
                    _l("No option of this ballot is named like this column."),
                    code="unknown_option",
                )
            )
        elif key in used:
            errors.append(
                BallotFileError(
                    1,
                    column_letter(col),
                    _l("This column names an option that already has a column (in the other language)."),
                    code="duplicate_option",
                    column_is_name=False,
                )
            )
        else:
            used.add(key)
            mapping[name] = key
    labels = {o.key: o.label_fr for o in ballot.options}
    for option in ballot.options:
        if option.key not in used:
            errors.append(
                BallotFileError(
                    1,
                    None,
                    _l("The option “%(option)s” has no column.", option=labels[option.key]),
                    code="missing_option",
                )
            )
    return mapping, errors


def import_paper_ballots(
    actor: User, ballot: Ballot, data: bytes, filename: str = "", *, encoding: str = "utf-8"
) -> PaperImportResult:
    if ballot.status not in (BallotStatus.OPEN, BallotStatus.CLOSED):
        raise VotingError(
            _l("Paper ballots can be imported while the vote is open or closed, before the results are published.")
        )
    digest = hashlib.sha256(data).hexdigest()
    earlier = db.session.execute(
        sa.select(PaperImport).filter_by(ballot_id=ballot.id, file_sha256=digest)
    ).scalar_one_or_none()
    if earlier is not None:
        raise VotingError(
            _l(
                "This very file was already imported into this ballot (%(count)d ballots); it was not imported again.",
                count=earlier.ballot_count,
            ),
            code="already_imported",
        )
    settings = {**csv_settings(ballot), "encoding": encoding}
    errors = check_ballot_csv(data, ballot.tally_method, max_errors=MAX_ERRORS + 1, **settings)
    header = _header(data, encoding)
    header_errors: list[BallotFileError] = []
    mapping: dict[str, str] = {}
    if header:
        mapping, header_errors = match_columns(ballot, header)
    errors = sorted([*header_errors, *errors], key=lambda e: e.row)
    if errors:
        raise PaperImportRejected(errors[:MAX_ERRORS], more=len(errors) > MAX_ERRORS)
    _names, parsed = parse_ballot_csv(data, ballot.tally_method, **settings)
    if not parsed:
        raise PaperImportRejected(
            [BallotFileError(2, None, _l("The file holds no ballot: add one row per paper ballot."), code="empty")]
        )
    existing = set(db.session.execute(sa.select(Cast.receipt).filter_by(ballot_id=ballot.id)).scalars())
    rows = []
    for paper in parsed:
        if ballot.method is VotingMethod.APPROVAL:
            contents = {mapping[name]: 1 for name in paper}
        else:
            contents = {mapping[name]: int(value) for name, value in paper.items()}
            if ballot.method is VotingMethod.POINTS:
                contents = {k: v for k, v in contents.items() if v}
        receipt = new_receipt()
        while receipt in existing:
            receipt = new_receipt()
        existing.add(receipt)
        rows.append(
            {
                "id": new_cast_id(),
                "ballot_id": ballot.id,
                "contents": dict(sorted(contents.items(), key=lambda item: int(item[0]))),
                "receipt": receipt,
                "source": CastSource.PAPER,
                "sector": None,
                "territory_id": None,
                "pseudonym": None,
                "user_id": None,
            }
        )
    db.session.execute(sa.insert(Cast), rows)
    record = PaperImport(
        ballot_id=ballot.id,
        file_sha256=digest,
        filename=(filename or "")[:255],
        ballot_count=len(rows),
        imported_by=actor,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "ballot.import_paper", ballot, ballots=len(rows), file_sha256=digest)
    return PaperImportResult(record, len(rows))
