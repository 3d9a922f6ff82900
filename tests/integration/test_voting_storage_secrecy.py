"""Secrecy where the application does not look: the database's own files after a close (old row versions in
PostgreSQL's pages, freed space in SQLite's file) and the voter's session cookie."""

import json
import zlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from itsdangerous.encoding import base64_decode

from app.core.extensions import db
from app.models import Role, Sector, VotingMethod
from app.voting.ballots import make_pseudonym
from tests.conftest import csrf_token_from, finish_responses
from tests.integration.voting_helpers import create_ballot, make_ballot, option_ids, post_vote, receipt_on_page

__all__ = ["create_ballot"]

ABC = ["Alpha", "Bravo", "Charlie"]


def decode_cookie(value: str) -> str:
    """What anyone holding the cookie reads, without the SECRET_KEY: Flask signs its session, it does not
    encrypt it (base64 of JSON, zlib-compressed when it starts with a dot)."""
    compressed = value.startswith(".")
    payload = (value[1:] if compressed else value).split(".")[0]
    data = base64_decode(payload)
    return (zlib.decompress(data) if compressed else data).decode()


def test_the_receipt_cannot_be_read_from_the_session_cookie(app, client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    assert response.status_code == 303
    cookie = client.get_cookie("session").value

    code = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    assert code, "the receipt is shown once, on the page after the vote"
    for text in (decode_cookie(cookie), json.dumps(app.session_interface.get_signing_serializer(app).loads(cookie))):
        assert code not in text and code.replace("-", "") not in text, text

    # Shown once: after that, nothing of it is left in the cookie, and the page does not show it again.
    assert "voting_receipt" not in decode_cookie(client.get_cookie("session").value)
    assert receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True)) is None


def test_a_receipt_token_from_another_ballot_or_person_shows_nothing(app, client, auth, create_ballot, create_user):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    other = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    assert receipt_on_page(client.get(f"/ballots/{other.id}").get_data(as_text=True)) is None
    with client.session_transaction() as session:
        session["voting_receipt"] = {**session["voting_receipt"], "token": "forged"}
    assert receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True)) is None


def cast_six_votes_and_close(app, client, auth, create_user, create_organization, create_territory, create_process):
    """Five school partners and one community partner vote (one of them twice); a facilitator closes."""
    school = create_organization(sector=Sector.SCHOOL, territory=create_territory())
    community = create_organization(sector=Sector.COMMUNITY, territory=create_territory())
    voters = [create_user(organization=school) for _ in range(5)] + [create_user(organization=community)]
    facilitator = create_user(Role.FACILITATOR)
    ballot = make_ballot(create_process(), method=VotingMethod.APPROVAL, options=ABC, settings={})
    ballot_id, ids, voter_ids = ballot.id, option_ids(ballot), [v.id for v in voters]
    assert all(v.email for v in [*voters, facilitator])  # loaded: the test lets go of its session (SQLite's lock)
    db.session.close()
    for n, voter in enumerate([*voters, voters[2]]):
        auth.login(voter)
        assert post_vote(client, ballot, [("choice", str(ids[n % 3]))]).status_code == 303
        auth.logout()
    auth.login(facilitator)  # the test holds no transaction open while the ballot closes (no older snapshot)
    token = csrf_token_from(client.get(f"/manage/ballots/{ballot_id}").get_data(as_text=True))
    assert client.post(f"/manage/ballots/{ballot_id}/close", data={"csrf_token": token}).status_code == 302
    finish_responses()  # the tables are rewritten once the response has left
    key = app.config["SECRET_KEY"]
    return ballot_id, [make_pseudonym(ballot_id, f"user-{user_id}", key) for user_id in voter_ids]


PAGE_ITEMS = sa.text(
    """
    SELECT p.t_xmin::text AS xmin, p.t_data AS data
    FROM generate_series(0, pg_relation_size(CAST(:relation AS regclass)) / current_setting('block_size')::bigint - 1)
             AS blk,
         LATERAL heap_page_items(get_raw_page(CAST(:relation AS text), blk)) AS p
    WHERE p.t_xmin IS NOT NULL
    """
)
RAW_PAGES = sa.text(
    """
    SELECT get_raw_page(CAST(:relation AS text), blk) AS page
    FROM generate_series(0, pg_relation_size(CAST(:relation AS regclass)) / current_setting('block_size')::bigint - 1)
             AS blk
    """
)


@pytest.mark.postgres_only
@pytest.mark.committed
def test_after_closing_no_page_of_postgresql_links_a_voter_to_a_cast(
    app, client, auth, create_user, create_organization, create_territory, create_process
):
    """The attack of the issue: old versions of the cast rows (dead tuples) kept the receipt, the pseudonym, the
    exact sector and territory, and the transaction id (xmin) of the vote, which is also the xmin of the voter's
    row: joining the raw pages of ballot_casts to ballot_voters on xmin linked every voter to their ballot."""
    _ballot_id, pseudonyms = cast_six_votes_and_close(
        app, client, auth, create_user, create_organization, create_territory, create_process
    )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        cast_tuples = connection.execute(PAGE_ITEMS, {"relation": "ballot_casts"}).all()
        voter_xmins = {row.xmin for row in connection.execute(PAGE_ITEMS, {"relation": "ballot_voters"})}
        indexes = sa.text("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'ballot_casts'::regclass")
        relations = ["ballot_casts", *connection.execute(indexes).scalars()]
        raw = b"".join(
            bytes(page)
            for relation in relations
            for page in connection.execute(RAW_PAGES, {"relation": relation}).scalars()
        )

    assert len(voter_xmins) >= 6  # every vote's transaction is on a voter row (live or old version)
    assert not {row.xmin for row in cast_tuples} & voter_xmins, "a cast row shares its transaction with a voter row"
    assert len(cast_tuples) == 6, "only the six sealed casts are left in the table's pages"
    for pseudonym in pseudonyms:
        assert pseudonym.encode() not in raw, "a pseudonym is still in the pages of ballot_casts or its indexes"
    assert b"community" not in b"".join(bytes(row.data) for row in cast_tuples)  # the lone one's exact sector


@pytest.mark.sqlite_only
@pytest.mark.committed
def test_after_closing_sqlite_keeps_no_pseudonym_in_its_file(
    app, client, auth, create_user, create_organization, create_territory, create_process
):
    _ballot_id, pseudonyms = cast_six_votes_and_close(
        app, client, auth, create_user, create_organization, create_territory, create_process
    )
    path = Path(sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # the file, and any journal
    for pseudonym in pseudonyms:
        assert pseudonym.encode() not in data
    with db.engine.connect() as connection:  # whatever the build's default: deleted content is overwritten
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
