"""Invitation responses cannot be tied back to an address, and a privacy request erases everything tied to one.

Both are tested as an attacker or an auditor would: by reading the database itself (every column of every table),
with the application's ``SECRET_KEY`` in hand, after going through the pages like respondents and staff do.
"""

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    AccountToken,
    Anonymity,
    Answer,
    AuditLog,
    Contribution,
    Invitation,
    ModerationItem,
    RespondentContact,
    Response,
    ResponseStatus,
    Role,
    SubmissionKey,
    TokenPurpose,
    User,
)
from app.moderation.items import item_from_contribution
from app.respond.tokens import claim_hash, resume_token_for
from tests.conftest import count_rows, csrf_token_from
from tests.integration.respond_helpers import Respondent

ADDRESS = "marie.tremblay@example.org"
OTHER = "autre.parent@example.org"
TOKEN_RE = re.compile(r"/i/([A-Za-z0-9_-]{20,})")


def invite(client, survey, emails: list[str]) -> list[str]:
    """Invitation links created and e-mailed by a facilitator (signed in on ``client``), in the order of ``emails``."""
    url = f"/surveys/{survey.id}/distribute"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    page = client.post(
        f"/surveys/{survey.id}/invitations",
        data={"emails": "\n".join(emails), "send": "y", "output": "page", "csrf_token": token},
    )
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    tokens = list(dict.fromkeys(TOKEN_RE.findall(page.get_data(as_text=True))))
    assert len(tokens) == len(emails)
    return tokens


def two_pages(anonymity: Anonymity, slug: str, *, email: bool = False) -> list[dict]:
    first = [{"code": "avis", "type": "long_text", "required": True, "settings": {"open": True}}]
    if email:
        first.insert(0, {"code": "courriel", "type": "email"})
    return [{"questions": first}, {"questions": [{"code": "note", "type": "rating", "settings": {"scale": 5}}]}]


# ---------------------------------------------------------------------------------- re-linking (attacker)


def relink(secret: str, *, same_transaction: bool = True) -> dict[int, str]:
    """Every response an operator holding the database and ``SECRET_KEY`` can tie to an invitation: response id →
    the invitation's address (or its id when it holds none).

    Tried: the stored link; each stored submission key taken as a start key (start key → resume token → claim →
    invitation); on PostgreSQL, rows written by one transaction (same ``xmin``) in the response's tables and in
    ``invitations``.
    """
    invitations = {invitation.id: invitation for invitation in db.session.execute(sa.select(Invitation)).scalars()}
    by_claim = {invitation.claim_hash: invitation for invitation in invitations.values() if invitation.claim_hash}
    found: dict[int, Invitation] = {}
    for response_id, invitation_id in db.session.execute(sa.select(Response.id, Response.invitation_id)):
        if invitation_id is not None:
            found[response_id] = invitations[invitation_id]
    for key, response_id in db.session.execute(sa.select(SubmissionKey.key, SubmissionKey.response_id)):
        claimed = by_claim.get(claim_hash(resume_token_for(key, secret)))
        if claimed is not None:
            found[response_id] = claimed
    if same_transaction and db.session.get_bind().dialect.name == "postgresql":
        for table, column in (
            ("responses", "id"),
            ("answers", "response_id"),
            ("submission_keys", "response_id"),
            ("respondent_contacts", "response_id"),
            ("moderation_items", "response_id"),
        ):
            same_transaction = sa.text(
                f"SELECT t.{column}, i.id FROM {table} t JOIN invitations i ON t.xmin = i.xmin"  # noqa: S608
            )
            for response_id, invitation_id in db.session.execute(same_transaction):
                found[response_id] = invitations[invitation_id]
    return {response_id: invitation.email or f"invitation {invitation.id}" for response_id, invitation in found.items()}


def _invitation_responses(app, client, auth, create_survey, anonymity, outbox) -> tuple[list[Response], list[str]]:
    """Four people invited by e-mail: three answer both pages, the fourth stops after the first."""
    survey = create_survey(two_pages(anonymity, "relien"), slug="relien", anonymity=anonymity)
    auth.login(Role.FACILITATOR)
    addresses = ["un@example.org", "deux@example.org", "trois@example.org", "quatre@example.org"]
    tokens = invite(client, survey, addresses)
    assert sorted(message["To"] for message in outbox.messages) == sorted(addresses)  # the mails went out
    for number, token in enumerate(tokens[:3]):
        respondent = Respondent(app.test_client())
        respondent.start(f"/i/{token}")
        respondent.send({"q_avis": f"Réponse {number}"})
        respondent.send({"q_note": "4"})
        assert respondent.response.request.path == "/s/relien/thanks"
    started = Respondent(app.test_client())
    started.start(f"/i/{tokens[3]}")
    started.send({"q_avis": "À suivre"}, action="later")
    db.session.expire_all()
    responses = db.session.execute(sa.select(Response).order_by(Response.id)).scalars().all()
    assert [r.status for r in responses] == [ResponseStatus.COMPLETE] * 3 + [ResponseStatus.IN_PROGRESS]
    return responses, tokens


@pytest.mark.parametrize("anonymity", [Anonymity.ANONYMOUS, Anonymity.CONFIDENTIAL], ids=lambda a: a.value)
def test_an_operator_with_the_database_and_the_secret_key_cannot_relink_invitation_responses(
    app, client, auth, create_survey, anonymity, mail_outbox
):
    responses, tokens = _invitation_responses(app, client, auth, create_survey, anonymity, mail_outbox)
    # Neither a stored link nor the key chain ties a response to its invitation; only a confidential response in
    # progress keeps its link (the same person may continue on another device), and the link holds no address.
    in_progress = responses[3]
    expected = {in_progress.id: f"invitation {in_progress.invitation_id}"} if in_progress.invitation_id else {}
    assert relink(app.secret_key, same_transaction=False) == expected
    assert (in_progress.invitation_id is not None) is (anonymity is Anonymity.CONFIDENTIAL)
    # Nothing stored holds the addresses: the links were e-mailed, and listed once on the facilitator's screen.
    assert db.session.scalars(sa.select(Invitation.email).where(Invitation.email.is_not(None))).all() == []
    # Each link is used up: opened again in another browser, it offers nothing to start.
    again = Respondent(app.test_client())
    again.get(f"/i/{tokens[0]}")
    assert again.response.status_code in {409, 410} and 'name="start_key"' not in again.html
    assert count_rows(Response) == 4


@pytest.mark.postgres_only
@pytest.mark.committed
@pytest.mark.parametrize("anonymity", [Anonymity.ANONYMOUS, Anonymity.CONFIDENTIAL], ids=lambda a: a.value)
def test_no_row_of_a_completed_response_shares_a_transaction_with_its_invitation(
    app, client, auth, create_survey, anonymity, mail_outbox
):
    """PostgreSQL stamps each row version with the transaction that wrote it (``xmin``): a response completed in
    the transaction that marked its invitation used could be joined to it in plain SQL."""
    responses, _tokens = _invitation_responses(app, client, auth, create_survey, anonymity, mail_outbox)
    complete = {response.id for response in responses[:3]}
    links = relink(app.secret_key)
    assert {r: how for r, how in links.items() if r in complete} == {}
    # The attack itself works: the response still in progress, whose row has not changed since the transaction
    # that started it and used its invitation up, is found (the README says so).
    assert responses[3].id in links


def test_invitation_addresses_are_kept_only_for_identified_surveys(client, auth, create_survey):
    auth.login(Role.FACILITATOR)
    stored = {}
    for anonymity in Anonymity:
        survey = create_survey(two_pages(anonymity, anonymity.value), slug=f"s-{anonymity.value}", anonymity=anonymity)
        invite(client, survey, [f"{anonymity.value}@example.org"])
        stored[anonymity] = db.session.scalar(sa.select(Invitation.email).filter_by(survey_id=survey.id))
    assert stored == {
        Anonymity.ANONYMOUS: None,
        Anonymity.CONFIDENTIAL: None,
        Anonymity.IDENTIFIED: "identified@example.org",
    }


def test_a_survey_made_confidential_before_its_first_response_forgets_its_invitation_addresses(
    client, auth, create_survey
):
    survey = create_survey(two_pages(Anonymity.IDENTIFIED, "devient"), slug="devient", anonymity=Anonymity.IDENTIFIED)
    auth.login(Role.FACILITATOR)
    invite(client, survey, [ADDRESS])
    url = f"/surveys/{survey.id}/settings"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    fields = {"title_fr": "Devient confidentiel", "slug": "devient", "anonymity": "confidential", "csrf_token": token}
    response = client.post(url, data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert db.session.get(type(survey), survey.id).anonymity is Anonymity.CONFIDENTIAL
    assert db.session.scalars(sa.select(Invitation.email)).all() == [None]


# ------------------------------------------------------------------------------------- privacy requests


def holding(address: str) -> list[str]:
    """Every column of every table where ``address`` appears (any case), as ``table.column``."""
    places = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            places += [f"{table.name}.{name}" for name, value in row.items() if address in str(value).lower()]
    return places


def test_a_privacy_request_finds_and_erases_everything_tied_to_an_address(
    app, client, auth, create_survey, create_user, caplog
):
    identified = create_survey(
        two_pages(Anonymity.IDENTIFIED, "ident", email=True), slug="ident", anonymity=Anonymity.IDENTIFIED
    )
    anonymous = create_survey(two_pages(Anonymity.ANONYMOUS, "anon"), slug="anon")
    facilitator = auth.login(Role.FACILITATOR)
    first, others = invite(client, identified, [ADDRESS, OTHER])
    (second,) = invite(client, identified, [ADDRESS])
    invite(client, identified, [ADDRESS.upper()])  # never used

    # Complete, through an invitation, with the address given (typed differently) and an open answer.
    complete = Respondent(app.test_client())
    complete.start(f"/i/{first}")
    complete.send({"q_courriel": "Marie.Tremblay@Example.org", "q_avis": "Mon fils a besoin d’aide."})
    complete.send({"q_note": "5"})
    # In progress, through an invitation, the address not given yet: reached only through the invitation.
    through_invitation = Respondent(app.test_client())
    through_invitation.start(f"/i/{second}")
    # In progress, through the public link, the address given on the first page.
    public = Respondent(app.test_client())
    public.start("/s/ident")
    public.send({"q_courriel": ADDRESS, "q_avis": "Je reviens plus tard."})
    # Someone else, through their own invitation: untouched.
    other = Respondent(app.test_client())
    other.start(f"/i/{others}")
    other.send({"q_courriel": OTHER, "q_avis": "Rien à ajouter."})
    other.send({"q_note": "3"})
    # An anonymous answer and a partner's contribution that mention the address.
    mention = Respondent(app.test_client())
    mention.start("/s/anon")
    mention.send({"q_avis": f"Pour le covoiturage, écrivez à {ADDRESS.title()}, merci."})
    mention.send({"q_note": "2"})
    contribution = Contribution(
        process_id=anonymous.process_id,
        author_id=facilitator.id,
        title="Covoiturage",
        description=f"Voir avec {ADDRESS} qui organise déjà un groupe.",
    )
    db.session.add(contribution)
    db.session.flush()
    item_from_contribution(contribution)
    # An account invitation sent to the address and never accepted.
    pending = create_user(Role.PARTNER, email=ADDRESS, password=None)
    token, _clear = AccountToken.issue(pending, TokenPurpose.INVITATION, timedelta(days=14))
    db.session.add(token)
    db.session.commit()
    pending_id = pending.id
    before = set(holding(ADDRESS))
    assert {"invitations.email", "respondent_contacts.email", "answers.text_value", "users.email"} <= before
    assert {"moderation_items.text", "contributions.description"} <= before

    auth.logout()
    auth.login(Role.ADMIN)
    page = client.get("/admin/privacy")
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        found = client.post(
            "/admin/privacy",
            data={"email": ADDRESS.upper(), "csrf_token": csrf_token_from(page.get_data(as_text=True))},
        )
        html = found.get_data(as_text=True)
        assert found.status_code == 200
        assert "3 réponses trouvées" in html  # complete, in progress through the invitation, in progress public
        assert "3 liens d’invitation" in html and "2 textes qui mentionnent l’adresse" in html
        assert "1 invitation à créer un compte" in html
        assert ADDRESS not in found.request.url  # the address is sent in the body, never in a URL
        erase = re.search(r'<form method="post" action="/admin/privacy/erase">.*?</form>', html, re.S).group(0)
        fields = dict(re.findall(r'name="([a-z_]+)" type="hidden" value="([^"]*)"', erase))
        done = client.post("/admin/privacy/erase", data=fields, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "Effacement : 3 réponses, 3 liens d’invitation, 1 invitation à créer un compte; 2 textes caviardés" in text

    assert holding(ADDRESS) == []
    assert count_rows(Response) == 2 and count_rows(RespondentContact) == 1  # the other person's and the anonymous
    assert db.session.scalar(sa.select(RespondentContact.email)) == OTHER
    assert db.session.scalars(sa.select(Invitation.email).where(Invitation.email.is_not(None))).all() == [OTHER]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.id == pending_id)) == 0
    assert count_rows(AccountToken) == 0
    scrubbed = db.session.scalar(sa.select(Answer.text_value).where(Answer.text_value.like("%covoiturage%")))
    assert scrubbed == "Pour le covoiturage, écrivez à [courriel], merci."
    items = db.session.execute(sa.select(ModerationItem).order_by(ModerationItem.id)).scalars().all()
    assert [item.text for item in items] == [
        "Rien à ajouter.",
        "Pour le covoiturage, écrivez à [courriel], merci.",
        "Covoiturage\n\nVoir avec [courriel] qui organise déjà un groupe.",
    ]
    assert all(item.pii_spans == [] and not item.flagged for item in items)

    # The audit log records the request, by a request number, never the address.
    entries = db.session.execute(
        sa.select(AuditLog.action, AuditLog.details).where(AuditLog.action.like("respondent.%")).order_by(AuditLog.id)
    ).all()
    assert [action for action, _ in entries] == ["respondent.search", "respondent.erase"]
    assert entries[0].details["request"] == entries[1].details["request"] and len(entries[0].details["request"]) >= 16
    assert entries[1].details | {"request": None} == {
        "request": None,
        "responses": 3,
        "invitations": 3,
        "accounts": 1,
        "texts": 2,
    }
    assert ADDRESS not in caplog.text.lower() and ADDRESS not in str(entries).lower()


def test_an_account_in_use_is_reported_not_erased(client, auth, create_user):
    create_user(Role.PARTNER, email=ADDRESS)
    auth.login(Role.ADMIN)
    page = client.get("/admin/privacy")
    found = client.post(
        "/admin/privacy", data={"email": ADDRESS, "csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )
    html = found.get_data(as_text=True)
    assert "0 réponses trouvées" in html and "Un compte utilise cette adresse" in html
    assert 'action="/admin/privacy/erase"' not in html  # nothing to erase is offered
    client.post("/admin/privacy/erase", data={"email": ADDRESS, "csrf_token": csrf_token_from(html)})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == ADDRESS)) == 1


def test_the_search_form_refuses_a_bad_address_with_a_message(client, auth):
    auth.login(Role.ADMIN)
    page = client.get("/admin/privacy")
    found = client.post(
        "/admin/privacy", data={"email": "pas une adresse", "csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )
    assert found.status_code == 400 and "adresse courriel" in found.get_data(as_text=True).lower()
    assert count_rows(AuditLog) == 0
