"""The demo, end to end: the seeded draft ballot is opened, two partners vote (one changes their vote), the
vote closes, paper ballots from the assembly are imported and change the totals, the results are published
with their explanations, and each partner finds their receipt among the counted ballots."""

import io

import sqlalchemy as sa

from app.core.extensions import db
from app.devdata.demo import DEMO_BALLOT_OPTIONS, DEMO_BALLOT_QUESTION, PROCESS_SLUG
from app.models import Ballot, BallotStatus, Process, User, VotingMethod
from tests.conftest import DEFAULT_PASSWORD, count_rows, csrf_token_from
from tests.integration.voting_helpers import post_vote, receipt_on_page


def _demo_user(email: str) -> User:
    user = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()
    user.set_password(DEFAULT_PASSWORD)
    db.session.commit()
    return user


def _post(client, page_url: str, url: str, data: dict | None = None, **kwargs):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


def test_seeding_the_demo_ballot_is_idempotent(app):
    runner = app.test_cli_runner()
    assert "1 ballots" in runner.invoke(args=["seed-demo"]).output
    assert "nothing new" in runner.invoke(args=["seed-demo"]).output
    assert (
        count_rows(Ballot) == 2
    )  # and the published vote of the assembly, in the follow-up demo (app/followup/demo.py)
    ballot = db.session.execute(sa.select(Ballot).filter_by(question_fr=DEMO_BALLOT_QUESTION)).scalar_one()
    assert ballot.question_fr == DEMO_BALLOT_QUESTION and ballot.status is BallotStatus.DRAFT
    assert ballot.method is VotingMethod.RANKING and len(ballot.options) == 4
    assert ballot.process.slug == PROCESS_SLUG and ballot.created_by.email == "animation@demo.concerto.quebec"


def test_the_demo_vote_from_opening_to_verified_receipts(app, client, auth):
    app.test_cli_runner().invoke(args=["seed-demo"])
    process = db.session.execute(sa.select(Process).filter_by(slug=PROCESS_SLUG)).scalar_one()
    ballot = db.session.execute(
        sa.select(Ballot).filter_by(process_id=process.id, question_fr=DEMO_BALLOT_QUESTION)
    ).scalar_one()
    ids = [o.id for o in ballot.options]
    manage = f"/manage/ballots/{ballot.id}"

    auth.login(_demo_user("animation@demo.concerto.quebec"))
    assert _post(client, manage, f"{manage}/open").status_code == 302
    auth.logout()

    receipts = {}
    chloe = _demo_user("partenaire1@demo.concerto.quebec")
    auth.login(chloe)
    assert DEMO_BALLOT_QUESTION in client.get(f"/p/{PROCESS_SLUG}/votes").get_data(as_text=True)
    post_vote(client, ballot, {f"rank-{ids[2]}": "1"})
    post_vote(client, ballot, {f"rank-{ids[0]}": "1", f"rank-{ids[1]}": "2"})  # Chloé changes her vote
    receipts["chloe"] = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    auth.logout()
    samuel = _demo_user("partenaire2@demo.concerto.quebec")
    auth.login(samuel)
    post_vote(client, ballot, {f"rank-{ids[1]}": "1", f"rank-{ids[0]}": "2"})
    receipts["samuel"] = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    auth.logout()

    auth.login(_demo_user("animation@demo.concerto.quebec"))
    assert _post(client, manage, f"{manage}/close").status_code == 302
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    first, second = DEMO_BALLOT_OPTIONS[0][0], DEMO_BALLOT_OPTIONS[1][0]
    assert f"{first} et {second} sont à égalité en première place." in page
    assert "Les égalités ne sont jamais tranchées au hasard" in page

    header = ";".join(label for label, _en in DEMO_BALLOT_OPTIONS)
    paper = f"{header}\n2;1;;\n;1;2;\n".encode()
    response = _post(
        client,
        f"{manage}/paper",
        f"{manage}/paper",
        {"file": (io.BytesIO(paper), "assemblee-annuelle.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert f"{second} arrive en tête." in page
    assert _post(client, manage, f"{manage}/publish").status_code == 302
    auth.logout()

    for person, name in ((chloe, "chloe"), (samuel, "samuel")):
        auth.login(person)
        listing = client.get(f"/ballots/{ballot.id}/receipts").get_data(as_text=True)
        assert "4 bulletins comptés" in listing
        response = _post(
            client,
            f"/ballots/{ballot.id}/receipts",
            f"/ballots/{ballot.id}/receipts/check",
            {"receipt": receipts[name]},
        )
        assert f"Votre bulletin {receipts[name]} a été compté tel que vous l’avez rempli" in response.get_data(
            as_text=True
        )
        results = client.get(f"/ballots/{ballot.id}/results")
        assert results.status_code == 200 and f"{second} arrive en tête." in results.get_data(as_text=True)
        auth.logout()
