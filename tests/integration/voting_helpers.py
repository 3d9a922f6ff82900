"""Fixtures and helpers for the voting tests (imported by the test modules that use them)."""

import re
from collections.abc import Callable

import pytest
from werkzeug.datastructures import MultiDict

from app.core.extensions import db
from app.models import (
    Ballot,
    BallotEligibility,
    BallotOption,
    BallotStatus,
    Eligibility,
    Process,
    ResultsVisibility,
    User,
    VotingMethod,
    utcnow,
)
from tests.conftest import csrf_token_from

RECEIPT = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}")


def make_ballot(
    process: Process,
    *,
    method: VotingMethod = VotingMethod.RANKING,
    options: list[str] | None = None,
    status: BallotStatus = BallotStatus.OPEN,
    eligibility: Eligibility = Eligibility.ALL_PARTNERS,
    secret: bool = True,
    results_visibility: ResultsVisibility = ResultsVisibility.AFTER_CLOSE,
    settings: dict | None = None,
    quorum_percent: int | None = None,
    listed: list[User] | None = None,
    question: str = "Quelles priorités retenir?",
) -> Ballot:
    labels = options or ["Littératie familiale", "Transition scolaire", "Conciliation études-travail"]
    if settings is None:
        settings = {
            VotingMethod.POINTS: {"budget": 10, "max_per_option": 6},
            VotingMethod.MAJORITY_JUDGMENT: {"grades": 6},
            VotingMethod.APPROVAL: {"max_choices": 2},
        }.get(method, {})
    ballot = Ballot(
        process=process,
        question_fr=question,
        question_en="Which priorities should we keep?",
        method=method,
        settings=settings,
        status=status,
        eligibility=eligibility,
        secret=secret,
        results_visibility=results_visibility,
        quorum_percent=quorum_percent,
    )
    for position, label in enumerate(labels, start=1):
        ballot.options.append(BallotOption(position=position, label_fr=label, label_en=f"{label} (EN)"))
    now = utcnow()
    if status is not BallotStatus.DRAFT:
        ballot.opened_at = now
    if status in (BallotStatus.CLOSED, BallotStatus.PUBLISHED):
        ballot.closed_at = now
    if status is BallotStatus.PUBLISHED:
        ballot.published_at = now
    db.session.add(ballot)
    db.session.flush()
    for user in listed or []:
        db.session.add(BallotEligibility(ballot_id=ballot.id, user_id=user.id))
    db.session.commit()
    return ballot


@pytest.fixture
def create_ballot(create_process) -> Callable[..., Ballot]:
    def make(process: Process | None = None, **kwargs) -> Ballot:
        return make_ballot(process or create_process(), **kwargs)

    return make


def option_ids(ballot: Ballot) -> list[int]:
    return [o.id for o in ballot.options]


def post_vote(client, ballot: Ballot, data: dict | list):
    """POST a filled-in ballot like a browser (CSRF token read from the voting page)."""
    token = csrf_token_from(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    if isinstance(data, dict):
        data = list(data.items())
    return client.post(f"/ballots/{ballot.id}/vote", data=MultiDict([*data, ("csrf_token", token)]))


def receipt_on_page(html: str) -> str | None:
    match = re.search(r'class="receipt-code">([^<]+)<', html)
    return match.group(1) if match else None
