"""The live room: a facilitator puts an open vote to the room of an event; the projector shows the code, a QR code
and the turnout (a number only), then the results once revealed; phones vote anonymously (one vote per phone) or
partners sign in; a mistyped or ended code says so plainly."""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.models import BallotStatus, Cast, LiveRoom, Role, RoomMode, VoterRecord, VotingMethod, utcnow
from tests.conftest import csrf_token_from
from tests.integration.test_events import make_event
from tests.integration.voting_helpers import make_ballot


def _open_room(client, auth, create_process, mode="device", method=VotingMethod.APPROVAL):
    auth.login(Role.FACILITATOR)
    process = create_process()
    event = make_event(process, title="Assemblée annuelle", kind="assembly")
    ballot = make_ballot(process, method=method, options=["Littératie", "Transport", "Garde"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Quelles priorités retenir?" in page
    response = client.post(
        f"/events/{event.id}/live",
        data={"csrf_token": csrf_token_from(page), "ballot_id": str(ballot.id), "mode": mode},
    )
    assert response.status_code == 302
    room = db.session.scalar(sa.select(LiveRoom))
    return room, ballot


def _phone(app):
    return app.test_client()


def _vote(phone, room, ballot, labels):
    page = phone.get(f"/live/{room.code}/vote")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    ids = [str(o.id) for o in ballot.options if o.label_fr in labels]
    return phone.post(f"/live/{room.code}/vote", data={"csrf_token": csrf_token_from(html), "choice": ids})


def test_phones_vote_anonymously_once_each_and_the_projector_shows_only_the_turnout(app, client, auth, create_process):
    room, ballot = _open_room(client, auth, create_process)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", room.code) and room.mode is RoomMode.DEVICE
    projector = client.get(f"/live/{room.code}").get_data(as_text=True)
    assert room.code in projector and "<svg" in projector and 'http-equiv="refresh"' in projector
    phones = [_phone(app) for _ in range(3)]
    for phone, labels in zip(phones, [["Littératie"], ["Littératie", "Garde"], ["Transport"]], strict=True):
        response = _vote(phone, room, ballot, labels)
        assert response.status_code == 200 and "Votre vote est enregistré." in response.get_data(as_text=True)
    again = _vote(phones[2], room, ballot, ["Garde"])  # the same phone again: its vote is replaced
    assert again.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cast)) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRecord)) == 0  # nobody is named
    status = client.get(f"/live/{room.code}/status").get_json()
    assert status == {"turnout": 3, "open": True, "revealed": False, "live": True}
    projector = client.get(f"/live/{room.code}").get_data(as_text=True)
    assert '<span id="turnout">3</span>' in projector
    assert "Littératie" not in projector  # nothing of what was voted before the reveal


def test_the_reveal_closes_the_vote_and_shows_the_results_on_the_projector(app, client, auth, create_process):
    room, ballot = _open_room(client, auth, create_process)
    for labels in (["Littératie"], ["Littératie", "Garde"], ["Littératie"], ["Garde"], ["Transport"]):
        _vote(_phone(app), room, ballot, labels)
    control = client.get(f"/live/{room.code}/control").get_data(as_text=True)
    client.post(f"/live/{room.code}/reveal", data={"csrf_token": csrf_token_from(control)})
    db.session.refresh(ballot)
    assert ballot.status is BallotStatus.CLOSED
    assert client.get(f"/live/{room.code}/status").get_json()["revealed"] is True
    projector = _phone(app).get(f"/live/{room.code}").get_data(as_text=True)
    assert "Résultat, en mots simples" in projector or "Classement" in projector
    assert "Littératie" in projector and "5" in projector
    late = _vote(_phone(app), room, ballot, ["Transport"])
    assert late.status_code == 409  # the vote is closed: nothing more is counted
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cast)) == 5


def test_a_mistyped_or_ended_code_says_so(app, client, auth, create_process):
    room, _ballot = _open_room(client, auth, create_process)
    phone = _phone(app)
    join = phone.get("/live").get_data(as_text=True)
    wrong = phone.post("/live", data={"csrf_token": csrf_token_from(join), "code": "zzzz99"})
    assert wrong.status_code == 404 and "Aucune salle n’a le code « zzzz99 »" in wrong.get_data(as_text=True)
    typed = phone.post("/live", data={"csrf_token": csrf_token_from(join), "code": room.code.lower()})
    assert typed.status_code == 303 and typed.headers["Location"].endswith(f"/live/{room.code}/vote")
    room.expires_at = utcnow() - timedelta(minutes=1)
    room.opened_at = room.expires_at - timedelta(hours=1)
    db.session.commit()
    ended = phone.get(f"/live/{room.code}")
    assert ended.status_code == 410 and "est terminée" in ended.get_data(as_text=True)
    assert phone.get(f"/live/{room.code}/vote").status_code == 410


def test_in_a_partner_room_phones_go_to_the_ballot_page(app, client, auth, create_process):
    room, ballot = _open_room(client, auth, create_process, mode="partners")
    response = _phone(app).get(f"/live/{room.code}/vote")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ballots/{ballot.id}")


def test_ending_the_room_is_recorded_and_its_code_stops_working(app, client, auth, create_process):
    from app.models import AuditLog

    room, _ballot = _open_room(client, auth, create_process)
    control = client.get(f"/live/{room.code}/control").get_data(as_text=True)
    ended = client.post(f"/live/{room.code}/end", data={"csrf_token": csrf_token_from(control)}, follow_redirects=True)
    assert "La salle est terminée : son code ne fonctionne plus." in ended.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "end_live_room")) == 1
    assert _phone(app).get(f"/live/{room.code}/vote").status_code == 410
    expired = client.post(f"/live/{room.code}/end", data={}, follow_redirects=True)
    assert "Votre formulaire a expiré" in expired.get_data(as_text=True)
