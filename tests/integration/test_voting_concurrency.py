"""Real concurrency on PostgreSQL: threads with their own application contexts (sessions, connections) call the
domain functions at the same moment. The end state is always exactly one counted cast per voter (or per
organization), and no cast slips in while a ballot closes."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    Ballot,
    BallotStatus,
    Cast,
    Eligibility,
    Organization,
    PaperImport,
    Process,
    ProcessStatus,
    Role,
    Sector,
    User,
    VoterRecord,
    VotingMethod,
)
from app.voting import ballots as domain
from app.voting.paper_ballots import import_paper_ballots
from tests.integration.voting_helpers import make_ballot

pytestmark = [pytest.mark.postgres_only, pytest.mark.committed]


def _setup(method=VotingMethod.APPROVAL, eligibility=Eligibility.ALL_PARTNERS, members=1, organizations=1):
    process = Process(slug="concurrence", title_fr="Concurrence", title_en="Concurrency", status=ProcessStatus.ACTIVE)
    db.session.add(process)
    db.session.commit()
    ballot = make_ballot(process, method=method, eligibility=eligibility, settings={})
    users = []
    for o in range(organizations):
        organization = Organization(name=f"Organisme {o}", sector=Sector.COMMUNITY)
        for m in range(members):
            users.append(
                User(email=f"p{o}-{m}@example.org", name=f"P {o}-{m}", role=Role.PARTNER, organization=organization)
            )
    db.session.add_all(users)
    db.session.commit()
    return ballot.id, [o.id for o in ballot.options], [u.id for u in users]


def _run(app, jobs):
    """Run the callables at the same moment, each in its own application context; return their results."""
    barrier = threading.Barrier(len(jobs))

    def call(job):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                result = job()
                db.session.commit()
                return result
            except Exception as error:  # reported to the test
                db.session.rollback()
                return error
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(call, jobs))


def _cast(ballot_id, user_id, choices):
    def job():
        ballot = db.session.get(Ballot, ballot_id)
        return domain.cast_vote(ballot, db.session.get(User, user_id), choices)

    return job


def _casts(ballot_id):
    db.session.expire_all()
    return db.session.execute(sa.select(Cast).filter_by(ballot_id=ballot_id)).scalars().all()


def test_the_same_voter_casting_from_several_threads_counts_once(app):
    ballot_id, options, (user_id,) = _setup()
    for _round in range(5):
        jobs = [_cast(ballot_id, user_id, {options[n % 3]: 1}) for n in range(8)]
        receipts = _run(app, jobs)
        assert all(isinstance(r, str) for r in receipts), receipts
        [cast] = _casts(ballot_id)
        assert cast.receipt in receipts
        # The counted contents are those of the cast whose receipt was kept.
        winner = receipts.index(cast.receipt)
        assert cast.contents == {str(options[winner % 3]): 1}
    record = db.session.execute(sa.select(VoterRecord)).scalar_one()
    assert record.cast_count == 40


def test_two_members_of_one_organization_casting_at_once_count_once(app):
    ballot_id, options, users = _setup(eligibility=Eligibility.ONE_PER_ORGANIZATION, members=2)
    for _round in range(5):
        receipts = _run(app, [_cast(ballot_id, users[0], {options[0]: 1}), _cast(ballot_id, users[1], {options[1]: 1})])
        assert all(isinstance(r, str) for r in receipts), receipts
        [cast] = _casts(ballot_id)
        assert cast.receipt in receipts
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRecord)) == 2


def test_many_voters_at_once_lose_nothing(app):
    ballot_id, options, users = _setup(method=VotingMethod.RANKING, members=1, organizations=20)
    receipts = _run(app, [_cast(ballot_id, u, {options[0]: 1, options[1]: 2}) for u in users])
    assert all(isinstance(r, str) for r in receipts)
    casts = _casts(ballot_id)
    assert len(casts) == 20 and sorted(c.receipt for c in casts) == sorted(receipts)


def test_no_cast_slips_in_while_the_ballot_closes(app):
    ballot_id, options, users = _setup(members=1, organizations=12)
    facilitator = User(email="f@example.org", name="F", role=Role.FACILITATOR)
    db.session.add(facilitator)
    db.session.commit()
    facilitator_id = facilitator.id

    def close():
        return domain.close_ballot(db.session.get(User, facilitator_id), db.session.get(Ballot, ballot_id))

    outcomes = _run(app, [close, *(_cast(ballot_id, u, {options[0]: 1}) for u in users)])
    assert outcomes[0] is None
    counted = [r for r in outcomes[1:] if isinstance(r, str)]
    refused = [r for r in outcomes[1:] if isinstance(r, domain.NotAcceptingCasts)]
    assert len(counted) + len(refused) == 12, outcomes
    casts = _casts(ballot_id)
    assert sorted(c.receipt for c in casts) == sorted(counted)
    assert {c.pseudonym for c in casts} <= {None}
    assert db.session.get(Ballot, ballot_id).status is BallotStatus.CLOSED


def test_the_same_paper_file_imported_twice_at_once_is_imported_once(app):
    ballot_id, _options, _users = _setup()
    facilitator = User(email="f@example.org", name="F", role=Role.FACILITATOR)
    db.session.add(facilitator)
    db.session.commit()
    facilitator_id = facilitator.id
    data = "Littératie familiale,Transition scolaire,Conciliation études-travail\n1,0,0\n0,1,0\n".encode()

    def job():
        ballot = db.session.get(Ballot, ballot_id)
        return import_paper_ballots(db.session.get(User, facilitator_id), ballot, data, "a.csv").imported

    outcomes = _run(app, [job, job, job])
    assert outcomes.count(2) == 1
    assert all(isinstance(o, sa.exc.IntegrityError | domain.VotingError) for o in outcomes if o != 2)
    assert len(_casts(ballot_id)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaperImport)) == 1
