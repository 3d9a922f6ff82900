"""A live room in a real browser: the facilitator opens the room of the demo's assembly on an open vote, a projector
(desktop, JavaScript on) shows the code and follows the turnout without reloading while five phones join with the
code and vote anonymously; the facilitator reveals the results and the projector shows them. Then the keyboard-first
entry of a workshop's ideas (Enter adds the next line)."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from app.core.extensions import db
from app.devdata.demo import PROCESS_SLUG
from app.models import Ballot, BallotOption, BallotStatus, Event, ModerationItem, Process, VotingMethod, utcnow
from tests.e2e.conftest import assert_accessible, screenshot, sign_in

OPTIONS = ["Littératie familiale", "Transport vers les activités", "Places en garderie"]
CHOICES = [[0], [0, 2], [0], [2], [1]]  # approvals of the five phones: 3, 1, 2


def _open_ballot(live_server) -> tuple[int, int]:
    with live_server.app.app_context():
        process = db.session.scalar(sa.select(Process).filter_by(slug=PROCESS_SLUG))
        assembly = db.session.scalar(sa.select(Event).where(Event.process_id == process.id, Event.kind == "assembly"))
        ballot = Ballot(
            process_id=process.id,
            question_fr="Quelles priorités l’assemblée retient-elle?",
            question_en="Which priorities does the assembly keep?",
            method=VotingMethod.APPROVAL,
            settings={"max_choices": 2},
            status=BallotStatus.OPEN,
            opened_at=utcnow(),
        )
        for position, label in enumerate(OPTIONS, start=1):
            ballot.options.append(BallotOption(position=position, label_fr=label, label_en=label))
        db.session.add(ballot)
        db.session.commit()
        return assembly.id, ballot.id


def test_a_projector_and_five_phones_through_a_vote_and_a_reveal(new_page, live_server):
    event_id, ballot_id = _open_ballot(live_server)
    facilitator = new_page()
    sign_in(facilitator, live_server, "facilitator")
    facilitator.goto(f"{live_server.url}/events/{event_id}")
    facilitator.get_by_label("Vote ouvert").select_option(str(ballot_id))
    facilitator.get_by_label(re.compile("Anonyme, un vote par téléphone")).check()
    facilitator.get_by_role("button", name="Ouvrir la salle").click()
    heading = facilitator.get_by_role("heading", level=1).inner_text()
    code = re.search(r"Salle ([A-Z2-9]{6})", heading).group(1)

    projector = new_page()
    projector.goto(f"{live_server.url}/live/{code}")
    assert projector.locator(".room-code").inner_text() == code
    assert projector.locator(".projector-qr svg").count() == 1
    assert projector.locator("#turnout").inner_text() == "0"
    assert_accessible(projector)

    for number, picks in enumerate(CHOICES):
        phone = new_page(phone=True)
        phone.goto(f"{live_server.url}/live")
        phone.get_by_label("Code de la salle").fill(code.lower())
        phone.get_by_role("button", name="Rejoindre").click()
        for index in picks:
            phone.get_by_label(OPTIONS[index]).check()
        if number == 0:
            assert_accessible(phone)
        phone.get_by_role("button", name="Voter").click()
        expect(phone.get_by_text("Votre vote est enregistré.")).to_be_visible()

    # The projector follows without reloading (its polling), and shows nothing of what was voted.
    expect(projector.locator("#turnout")).to_have_text("5", timeout=15_000)
    assert "Littératie" not in projector.locator("main").inner_text()
    screenshot(projector, "live-room-projector-fr")

    facilitator.reload()
    facilitator.get_by_role("button", name="Fermer le vote et afficher les résultats").click()
    projector.wait_for_selector("#outcome-title", timeout=15_000)  # the page reloads itself on the reveal
    table = projector.locator("table.results-table").inner_text()
    assert table.index("Littératie familiale") < table.index("Places en garderie") < table.index("Transport")
    assert_accessible(projector)
    with live_server.app.app_context():
        assert db.session.get(Ballot, ballot_id).status is BallotStatus.CLOSED


def test_ideas_are_typed_one_per_line_with_the_keyboard(new_page, live_server):
    with live_server.app.app_context():
        process = db.session.scalar(sa.select(Process).filter_by(slug=PROCESS_SLUG))
        workshop = db.session.scalar(
            sa.select(Event).where(Event.process_id == process.id, Event.kind == "workshop").order_by(Event.id.desc())
        )
        before = db.session.scalar(sa.select(sa.func.count()).where(ModerationItem.event_id == workshop.id))
    page = new_page()
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/events/{workshop.id}")
    first = page.get_by_label("Idée 1")
    first.fill("Des ateliers le samedi matin")
    first.press("Enter")
    page.keyboard.type("Un transport vers l’école de musique")
    page.keyboard.press("Enter")
    page.keyboard.type("Une halte-garderie pendant les rencontres")
    assert page.get_by_label("Idée 3").input_value() == "Une halte-garderie pendant les rencontres"
    page.keyboard.press("Control+Enter")
    expect(page.get_by_text("3 idées ajoutées à la file de modération.")).to_be_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        after = db.session.scalar(sa.select(sa.func.count()).where(ModerationItem.event_id == workshop.id))
    assert after == before + 3
