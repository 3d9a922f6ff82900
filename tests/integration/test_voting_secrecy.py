"""Secrecy: after a secret vote, nothing an administrator can open (pages, exports, logs, audit trail, the
database itself) links a person to what they voted."""

import hashlib
import hmac
import logging
import re

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    AuditLog,
    BallotStatus,
    Cast,
    ResultsVisibility,
    Role,
    Sector,
    User,
    VoterRecord,
    VotingMethod,
)
from tests.conftest import csrf_token_from
from tests.integration.voting_helpers import create_ballot, option_ids, post_vote, receipt_on_page

__all__ = ["create_ballot"]

OPTIONS = ["Option Zèbre", "Option Hibou", "Option Castor", "Option Orignal"]
FRAGMENT = re.compile(r"<(tr|li|p|dd|dt|td|th|h[1-6]|caption|legend|label|option)\b[^>]*>(.*?)</\1>", re.S)


def fragments(html: str) -> list[str]:
    return [m.group(2) for m in FRAGMENT.finditer(html)]


@pytest.fixture
def secret_vote(client, auth, create_ballot, create_user, create_organization, create_territory):
    """Six partners of one sector and territory vote on a secret ranking with live results; Zoé's ballot is
    the only one ranking "Option Zèbre" first. Then a facilitator closes and publishes."""
    territory = create_territory(name="Memphrémagog")
    organization = create_organization(name="Organisme Témoin", sector=Sector.SCHOOL, territory=territory)
    ballot = create_ballot(
        method=VotingMethod.RANKING,
        options=OPTIONS,
        results_visibility=ResultsVisibility.LIVE,
    )
    z, h, c, o = option_ids(ballot)
    zoe = create_user(name="Zoé Secrète", email="zoe.secrete@example.org", organization=organization)
    others = [
        create_user(name=f"Votant Numéro{n}", email=f"votant{n}@example.org", organization=organization)
        for n in range(5)
    ]
    receipts = {}
    auth.login(zoe)
    post_vote(client, ballot, {f"rank-{h}": "1", f"rank-{c}": "2"})  # changed her mind below
    post_vote(client, ballot, {f"rank-{z}": "1", f"rank-{o}": "2"})
    receipts[zoe.id] = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    auth.logout()
    for n, voter in enumerate(others):
        auth.login(voter)
        first, second = (h, c) if n % 2 else (c, o)
        post_vote(client, ballot, {f"rank-{first}": "1", f"rank-{second}": "2"})
        receipts[voter.id] = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
        auth.logout()

    facilitator = auth.login(Role.FACILITATOR)
    for action in ("close", "publish"):
        token = csrf_token_from(client.get(f"/manage/ballots/{ballot.id}").get_data(as_text=True))
        assert client.post(f"/manage/ballots/{ballot.id}/{action}", data={"csrf_token": token}).status_code == 302
    auth.logout()
    db.session.expire_all()
    return {"ballot": ballot, "zoe": zoe, "voters": [zoe, *others], "receipts": receipts, "facilitator": facilitator}


def admin_pages(client, ballot, zoe) -> dict[str, str]:
    urls = [
        "/votes",
        f"/p/{ballot.process.slug}/votes",
        f"/ballots/{ballot.id}",
        f"/ballots/{ballot.id}/results",
        f"/ballots/{ballot.id}/receipts",
        "/manage/ballots",
        f"/manage/processes/{ballot.process_id}/ballots",
        f"/manage/ballots/{ballot.id}",
        f"/manage/ballots/{ballot.id}/paper",
        "/admin/",
        "/admin/users",
        f"/admin/users/{zoe.id}",
        "/admin/audit",
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    token = csrf_token_from(pages[f"/ballots/{ballot.id}/receipts"])
    for receipt_url in (f"/ballots/{ballot.id}/receipts/check",):
        response = client.post(receipt_url, data={"receipt": "2222-2222-22", "csrf_token": token})
        pages[receipt_url] = response.get_data(as_text=True)
    return pages


def test_no_admin_page_export_log_or_row_links_a_voter_to_their_ballot(client, auth, secret_vote, caplog):
    caplog.set_level(logging.DEBUG)
    ballot, zoe, voters, receipts = (secret_vote[k] for k in ("ballot", "zoe", "voters", "receipts"))
    auth.login(Role.ADMIN)
    pages = admin_pages(client, ballot, zoe)

    # The vote happened and is published: her ballot is there, anonymously.
    assert receipts[zoe.id] in pages[f"/ballots/{ballot.id}/receipts"]
    assert "Zoé Secrète" in pages[f"/manage/ballots/{ballot.id}"]  # who voted, after closing

    identities = {v.id: (v.name, v.email) for v in voters}
    for url, html in pages.items():
        for voter_id, (name, email) in identities.items():
            if name in html or email in html:
                # A page naming a voter never shows a receipt code, so the published contents cannot be joined.
                assert not any(r in html for r in receipts.values()), url
                for fragment in fragments(html):
                    if name in fragment or email in fragment:
                        assert not any(label in fragment for label in OPTIONS), (url, fragment)
            assert receipts[voter_id] not in html or url.startswith(f"/ballots/{ballot.id}/receipts"), url

    for kind in ("ballots", "results"):
        response = client.get(f"/manage/ballots/{ballot.id}/export/{kind}.csv")
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        for name, email in identities.values():
            assert name not in text and email not in text
        assert not any(r in text for r in receipts.values())

    for record in caplog.records:
        message = record.getMessage()
        for name, email in identities.values():
            assert name not in message and email not in message
        assert not any(r in message for r in receipts.values())
        assert not any(label in message for label in OPTIONS)

    for entry in db.session.execute(sa.select(AuditLog)).scalars():
        text = str(entry.details)
        assert not any(r in text for r in receipts.values()) and not any(label in text for label in OPTIONS)
        assert "vote" not in entry.action and "cast" not in entry.action


def test_after_closing_the_database_itself_cannot_link_voters_to_casts(app, secret_vote):
    ballot, voters = secret_vote["ballot"], secret_vote["voters"]
    casts = db.session.execute(sa.select(Cast).filter_by(ballot_id=ballot.id)).scalars().all()
    assert len(casts) == 6
    assert {c.pseudonym for c in casts} == {None} and {c.user_id for c in casts} == {None}

    # Even with the SECRET_KEY, recomputing each voter's pseudonym finds nothing.
    key = app.config["SECRET_KEY"].encode()
    stored = set(db.session.execute(sa.select(Cast.pseudonym)).scalars())
    for voter in voters:
        pseudonym = hmac.new(key, f"{ballot.id}:user-{voter.id}".encode(), hashlib.sha256).hexdigest()
        assert pseudonym not in stored

    # The casts table refers to no person and holds no time; the voters table refers to no cast.
    cast_columns = {c.name: c for c in Cast.__table__.columns}
    assert {fk.column.table.name for c in cast_columns.values() for fk in c.foreign_keys} == {
        "ballots",
        "territories",
        "users",
    }
    assert [
        name for name, c in cast_columns.items() if any(fk.column.table.name == "users" for fk in c.foreign_keys)
    ] == ["user_id"]
    assert not [name for name, c in cast_columns.items() if isinstance(c.type, sa.DateTime | sa.Date)]
    assert not [
        c.name for c in VoterRecord.__table__.columns for fk in c.foreign_keys if fk.column.table.name == "ballot_casts"
    ]
    # The cast ids are random (not an insertion order).
    assert all(re.fullmatch(r"[0-9a-f]{32}", c.id) for c in casts)
    records = db.session.execute(sa.select(VoterRecord).filter_by(ballot_id=ballot.id)).scalars().all()
    assert sorted(r.user_id for r in records) == sorted(v.id for v in voters)


def test_while_open_the_pseudonym_is_the_only_link_and_needs_the_secret_key(app, client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    voter = auth.login(Role.PARTNER)
    post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    cast = db.session.execute(sa.select(Cast)).scalar_one()
    assert cast.user_id is None
    expected = hmac.new(
        app.config["SECRET_KEY"].encode(), f"{ballot.id}:user-{voter.id}".encode(), hashlib.sha256
    ).hexdigest()
    assert cast.pseudonym == expected
    wrong_key = hmac.new(b"another key", f"{ballot.id}:user-{voter.id}".encode(), hashlib.sha256).hexdigest()
    assert cast.pseudonym != wrong_key


def test_a_show_of_hands_shows_who_voted_what_to_facilitators_only(client, auth, create_ballot, create_user):
    ballot = create_ballot(
        method=VotingMethod.APPROVAL, secret=False, status=BallotStatus.OPEN, results_visibility=ResultsVisibility.LIVE
    )
    voter = create_user(name="Main Levée")
    auth.login(voter)
    post_vote(client, ballot, [("choice", str(option_ids(ballot)[1]))])
    partner_view = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert "Main Levée" not in partner_view
    auth.logout()
    assert db.session.execute(sa.select(Cast.user_id)).scalar_one() == voter.id
    auth.login(Role.FACILITATOR)
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert "Qui a voté quoi (ce scrutin n’est pas secret)" in page
    row = next(f for f in fragments(page) if "Main Levée" in f and f.count("<td>") == 3)
    assert re.findall(r"<td>(.*?)</td>", row) == ["Non", "Oui", "Non"]
    assert "Main Levée" in client.get(f"/manage/ballots/{ballot.id}").get_data(as_text=True)


def test_voter_names_are_in_no_cast_row_of_a_secret_ballot(secret_vote):
    names = {v.name for v in secret_vote["voters"]}
    rows = db.session.execute(sa.select(Cast.contents, Cast.receipt, Cast.user_id)).all()
    assert all(not any(name in str(row) for name in names) for row in rows)
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() >= 7
