"""app/respond/storage.py against the database: every type stored as normalized rows and read back."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.extensions import db
from app.core.signals import response_completed
from app.models import Anonymity, Answer, Invitation, RespondentContact, ResponseStatus, utcnow
from app.models.people import hash_token
from app.respond import storage
from app.respond.tokens import digest, new_key

EVERY_TYPE = [
    {
        "questions": [
            {"code": "court", "type": "short_text"},
            {"code": "long", "type": "long_text"},
            {"code": "un", "type": "single_choice", "choices": ["a", "b"], "settings": {"other": True}},
            {"code": "plusieurs", "type": "multiple_choice", "choices": ["a", "b", "c"], "settings": {"other": True}},
            {"code": "oui", "type": "yes_no"},
            {"code": "note", "type": "rating"},
            {"code": "nombre", "type": "numeric", "settings": {"decimal": True}},
            {"code": "jour", "type": "date"},
            {"code": "rang", "type": "ranking", "choices": ["x", "y", "z"]},
            {"code": "grille", "type": "matrix", "choices": ["1", "2"], "rows": ["r1", "r2"]},
            {"code": "lieu", "type": "territory"},
            {"code": "courriel", "type": "email"},
            {"code": "texte", "type": "note"},
        ]
    }
]
VALUES = {
    "court": "Bonjour",
    "long": "Ligne 1\nLigne 2",
    "un": "other",
    "un:other": "Tante",
    "plusieurs": ["a", "c", "other"],
    "plusieurs:other": "Voisin",
    "oui": "no",
    "note": 4,
    "nombre": Decimal("2.5"),
    "jour": date(2024, 2, 29),
    "rang": ["z", "x"],
    "grille": {"r1": "2", "r2": "1"},
    "lieu": "SHE",
    "courriel": "parent@example.org",
}


@pytest.fixture
def setup(create_survey, create_process, create_territory):
    territory = create_territory("Sherbrooke", "SHE")
    survey = create_survey(EVERY_TYPE, process=create_process(territories=[territory]), anonymity=Anonymity.IDENTIFIED)
    response, token = storage.start_response(survey, start_key=new_key(), secret="s", locale="fr_CA")
    db.session.commit()
    return survey, response, token, [territory]


def test_every_type_is_stored_normalized_and_read_back(setup):
    survey, response, _token, territories = setup
    storage.save_answers(response, survey, survey.pages[0].questions, VALUES, territories=territories)
    db.session.commit()
    assert storage.load_values(response, survey) == VALUES
    rows = db.session.execute(sa.select(Answer).filter_by(response_id=response.id)).scalars().all()
    assert len(rows) == 1 + 1 + 1 + 3 + 1 + 1 + 1 + 1 + 2 + 2 + 1
    assert db.session.get(RespondentContact, response.id).email == "parent@example.org"
    assert not any(row.text_value == "parent@example.org" for row in rows)
    # Saving the page again replaces its answers.
    storage.save_answers(response, survey, survey.pages[0].questions, {"court": "Autre"}, territories=territories)
    db.session.commit()
    assert storage.load_values(response, survey) == {"court": "Autre"}
    assert db.session.get(RespondentContact, response.id) is None


def test_completion_discards_hidden_answers_and_writes_nothing_to_the_invitation(setup):
    survey, response, token, territories = setup
    survey.question("long").relevant = "${court} = 'montrer'"
    invitation = Invitation(survey=survey, token_hash=hash_token("inv"))
    db.session.add(invitation)
    db.session.commit()
    assert storage.claim_invitation(invitation, token, now=utcnow())  # used up from the start
    used = (invitation.used_at, invitation.claim_hash)
    storage.save_answers(response, survey, survey.pages[0].questions, VALUES, territories=territories)
    completed = []
    with response_completed.connected_to(lambda _sender, response: completed.append(response.status)):
        storage.complete_response(response, survey, VALUES, now=utcnow())
    db.session.commit()
    assert completed == [ResponseStatus.COMPLETE]
    assert "long" not in storage.load_values(response, survey)
    assert response.resume_token_hash is None
    db.session.refresh(invitation)
    assert (invitation.used_at, invitation.claim_hash) == used
    with pytest.raises(storage.ResponseAlreadyComplete):
        storage.complete_response(response, survey, VALUES, now=utcnow())
    db.session.rollback()


def test_a_confidential_response_drops_its_invitation_link_when_complete(create_survey):
    survey = create_survey([{"questions": [{"code": "avis", "type": "short_text"}]}], anonymity=Anonymity.CONFIDENTIAL)
    invitation = Invitation(survey=survey, token_hash=hash_token("conf"), attributes={"group": "atelier"})
    db.session.add(invitation)
    db.session.commit()
    response, token = storage.start_response(
        survey, start_key=new_key(), secret="s", locale="fr_CA", invitation=invitation
    )
    assert storage.claim_invitation(invitation, token, now=utcnow())
    db.session.commit()
    assert response.invitation_id == invitation.id  # while in progress: continued from another device through it
    storage.complete_response(response, survey, {"avis": "Oui"}, now=utcnow())
    db.session.commit()
    assert response.invitation_id is None and response.attributes == {"group": "atelier"}


def test_completion_refuses_missing_required_answers(setup):
    survey, response, _token, _territories = setup
    survey.question("court").required = True
    with pytest.raises(storage.ResponseIncomplete) as refused:
        storage.complete_response(response, survey, {}, now=utcnow())
    assert [q.code for q in refused.value.questions] == ["court"]
    db.session.rollback()


def test_a_submission_key_is_accepted_once(setup):
    _survey, response, _token, _territories = setup
    key = new_key()
    storage.record_submission(response, key)
    db.session.commit()
    assert storage.find_submission(key).response_id == response.id
    assert storage.find_submission(key).key == digest(key) != key  # the key itself is not stored
    with pytest.raises(IntegrityError):
        storage.record_submission(response, key)
    db.session.rollback()


def test_an_invitation_is_claimed_once(setup):
    survey, _response, token, _territories = setup
    invitation = Invitation(survey=survey, token_hash=hash_token("inv2"))
    db.session.add(invitation)
    db.session.commit()
    now = utcnow()
    assert storage.claim_invitation(invitation, token, now=now)
    assert not storage.claim_invitation(invitation, "another-resume-token-xx", now=now)
    assert storage.claimed_by(invitation, token) and not storage.claimed_by(invitation, None)
    # Used from that moment, and only the day is kept: no time to match with a response's.
    assert invitation.used_at == now.replace(hour=0, minute=0, second=0, microsecond=0)
