"""Pure pieces of the voting feature: receipts, pseudonyms, group generalization, lifecycle rules, CSV cells,
reading a filled-in ballot. No application, no database."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.models import Ballot, BallotOption, BallotStatus, IllegalTransition, VotingMethod
from app.voting.ballots import (
    RECEIPT_ALPHABET,
    Receipt,
    make_pseudonym,
    new_receipt,
    normalize_label,
    normalize_receipt,
    receipt_code,
)
from app.voting.export import cells, neutralize
from app.voting.forms import read_choices
from app.voting.paper_ballots import unneutralize
from app.voting.results import agreement_level

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def ballot(method=VotingMethod.RANKING, status=BallotStatus.OPEN, **kwargs) -> Ballot:
    b = Ballot(method=method, status=status, settings=kwargs.pop("settings", {}), **kwargs)
    for i, label in enumerate(["Alpha", "Bravo", "Charlie"], start=1):
        b.options.append(BallotOption(id=10 + i, position=i, label_fr=label, label_en=""))
    return b


def test_receipts_are_random_readable_and_50_bits():
    codes = [new_receipt() for _ in range(20_000)]
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}", c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert len(RECEIPT_ALPHABET) == 32 and not set("01IO") & set(RECEIPT_ALPHABET)
    # Every character of the alphabet shows up in every position (no obvious bias).
    assert all(len({c.replace("-", "")[i] for c in codes}) == 32 for i in range(10))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7qm-3xda-9p", "K7QM-3XDA-9P"),
        (" K7QM 3XDA 9P ", "K7QM-3XDA-9P"),
        ("K7QM3XDA9P", "K7QM-3XDA-9P"),
        ("K7QM–3XDA–9P", "K7QM-3XDA-9P"),
        ("K7QM-3XDA-9", None),
        ("K7QM-3XDA-9PP", None),
        ("O0I1-3XDA-9P", None),
        ("", None),
        ("<script>", None),
    ],
)
def test_typed_receipts_are_normalized(typed, expected):
    assert normalize_receipt(typed) == expected


def test_pseudonym_is_an_hmac_of_ballot_and_voter_key():
    first = make_pseudonym(3, "user-7", "secret")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert first == make_pseudonym(3, "user-7", b"secret")
    assert len({first, make_pseudonym(4, "user-7", "secret"), make_pseudonym(3, "user-8", "secret")}) == 3
    assert first != make_pseudonym(3, "user-7", "another secret")
    assert make_pseudonym(3, "organization-7", "secret") != first


def test_online_receipt_codes_are_derived_from_a_token_and_the_secret_key():
    codes = {receipt_code(f"token-{n}", "secret") for n in range(20_000)}
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}", c) for c in codes)
    assert len(codes) == 20_000
    assert all(len({c.replace("-", "")[i] for c in codes}) == 32 for i in range(10))
    assert receipt_code("token-1", "secret") == receipt_code("token-1", b"secret")
    assert receipt_code("token-1", "secret") != receipt_code("token-1", "another secret")
    receipt = Receipt("K7QM-3XDA-9P", "the-token")
    assert receipt == "K7QM-3XDA-9P" and receipt.token == "the-token" and isinstance(receipt, str)


def test_lifecycle_moves_only_forward():
    b = ballot(status=BallotStatus.DRAFT)
    with pytest.raises(IllegalTransition):
        b.close(NOW)
    b.open(NOW)
    assert b.opened_at == NOW and b.is_open
    with pytest.raises(IllegalTransition):
        b.publish(NOW)
    b.close(NOW)
    assert b.is_over and b.closed_at == NOW
    with pytest.raises(IllegalTransition):
        b.open(NOW)
    b.publish(NOW)
    assert b.is_published
    with pytest.raises(IllegalTransition):
        b.close(NOW)


def test_voting_window():
    b = ballot(opens_at=NOW, closes_at=NOW + timedelta(hours=1))
    assert not b.accepts_casts(NOW - timedelta(seconds=1))
    assert b.accepts_casts(NOW) and b.accepts_casts(NOW + timedelta(minutes=59))
    assert not b.accepts_casts(NOW + timedelta(hours=1))
    assert b.is_due_to_close(NOW + timedelta(hours=1))
    assert not ballot(status=BallotStatus.DRAFT).accepts_casts(NOW)
    assert ballot(status=BallotStatus.OPEN).accepts_casts(NOW)


def test_settings_by_method():
    assert VotingMethod.RANKING.tally_method == "schulze"
    assert VotingMethod.MAJORITY_JUDGMENT.tally_method == "majority-judgment"
    points = ballot(VotingMethod.POINTS, settings={"budget": 10, "max_per_option": 4, "max_choices": 2})
    assert points.tally_settings() == {"budget": 10, "max_per_option": 4}
    assert ballot(VotingMethod.APPROVAL, settings={"max_choices": 2}).tally_settings() == {"max_choices": 2}
    assert ballot(VotingMethod.MAJORITY_JUDGMENT).tally_settings() == {"grades": 6}
    assert ballot(VotingMethod.APPROVAL, settings={"max_choices": True}).max_choices is None


def test_csv_cells_and_neutralization():
    keys = ["11", "12", "13"]
    assert cells(VotingMethod.APPROVAL, keys, {"12": 1}) == ["0", "1", "0"]
    assert cells(VotingMethod.POINTS, keys, {"11": 7}) == ["7", "0", "0"]
    assert cells(VotingMethod.RANKING, keys, {"13": 1, "11": 2}) == ["2", "", "1"]
    assert cells(VotingMethod.MAJORITY_JUDGMENT, keys, {"11": 0, "12": 5}) == ["0", "5", ""]
    for dangerous in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize(dangerous) == "'" + dangerous
        assert unneutralize(neutralize(dangerous)) == dangerous
    assert neutralize("Alpha") == "Alpha" and neutralize(None) == "" and neutralize(3) == "3"
    assert unneutralize("'Alpha") == "'Alpha"


def test_labels_compare_without_case_spaces_or_composition():
    assert normalize_label(" Littératie ") == normalize_label("LITTE\u0301RATIE")


def test_agreement_levels():
    assert agreement_level(None) is None
    assert agreement_level(0.0) == "agree" and agreement_level(0.149) == "agree"
    assert agreement_level(0.15) == "moderate" and agreement_level(0.299) == "moderate"
    assert agreement_level(0.3) == "diverge" and agreement_level(1.0) == "diverge"


def test_reading_a_filled_in_ranking():
    b = ballot(VotingMethod.RANKING)
    form = MultiDict({"rank-11": "2", "rank-12": "", "rank-13": "1", "csrf_token": "x"})
    choices, errors, filled = read_choices(b, form)
    assert choices == {11: 2, 13: 1} and errors == []
    assert filled == {"rank-11": "2", "rank-12": "", "rank-13": "1"}


def test_reading_keeps_unknown_ids_for_the_domain_and_reports_garbage():
    b = ballot(VotingMethod.POINTS, settings={"budget": 10})
    choices, errors, _filled = read_choices(b, MultiDict({"points-99": "1", "points-x": "2", "points-11": "2,5"}))
    assert choices == {99: 1}
    assert [e.code for e in errors] == ["unknown", "not_integer"]
    assert errors[1].option_id == 11


def test_reading_approvals():
    b = ballot(VotingMethod.APPROVAL)
    choices, errors, filled = read_choices(b, MultiDict([("choice", "11"), ("choice", "13"), ("choice", "nope")]))
    assert choices == {11: 1, 13: 1} and [e.code for e in errors] == ["unknown"]
    assert filled == {"choice": ["11", "13", "nope"]}


def test_the_models_and_the_tally_share_the_default_grade_scale():
    from app.models.voting import DEFAULT_GRADES as MODEL_DEFAULT
    from app.voting.tally import DEFAULT_GRADES as TALLY_DEFAULT

    assert MODEL_DEFAULT == TALLY_DEFAULT == 6
