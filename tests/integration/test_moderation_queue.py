"""Moderation items: created on completion, decisions and undo (audited), optimistic locking, redaction, bulk
actions, filters, search and the queue's query count."""

import re

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import AuditLog, ItemSource, ItemState, ModerationItem, RejectReason, Role, Theme, utcnow
from app.moderation import decisions, redaction
from app.respond import storage
from app.respond.tokens import new_key
from tests.conftest import count_rows, csrf_token_from
from tests.integration.moderation_helpers import make_item

PAGES = [
    {
        "questions": [
            {"code": "besoin", "type": "long_text", "settings": {"open": True}},
            {"code": "ferme", "type": "short_text"},  # not open: stays out of the queue
            {"code": "aide", "type": "single_choice", "choices": ["a", "b"], "settings": {"other": True}},
            {"code": "note", "type": "rating"},
            {"code": "lieu", "type": "territory"},
        ]
    }
]


@pytest.fixture
def completed(create_survey, create_process, create_territory):
    territory = create_territory("Coaticook", "COA")
    process = create_process(territories=[territory])
    survey = create_survey(PAGES, process=process)
    response, _token = storage.start_response(survey, start_key=new_key(), secret="s", locale="fr_CA")
    values = {
        "besoin": "Appelez Marie Tremblay au 819-555-1234, on manque de places en garderie.",
        "ferme": "Texte fermé",
        "aide": "other",
        "aide:other": "Ma voisine",
        "note": 3,
        "lieu": "COA",
    }
    storage.save_answers(response, survey, survey.pages[0].questions, values, territories=[territory])
    storage.complete_response(response, survey, values, now=utcnow())
    db.session.commit()
    return process, survey, response, territory


def _items(process):
    return db.session.scalars(
        sa.select(ModerationItem).where(ModerationItem.process_id == process.id).order_by(ModerationItem.id)
    ).all()


def test_completion_creates_items_for_open_and_other_texts_only(completed):
    process, survey, response, territory = completed
    items = _items(process)
    assert [(i.source, i.text) for i in items] == [
        (ItemSource.ANSWER, "Appelez Marie Tremblay au 819-555-1234, on manque de places en garderie."),
        (ItemSource.OTHER_ANSWER, "Ma voisine"),
    ]
    first = items[0]
    assert first.survey_id == survey.id and first.response_id == response.id and first.question.code == "besoin"
    assert first.territory_id == territory.id and first.language == "fr"
    assert first.flagged and {s["kind"] for s in first.pii_spans} == {"name", "phone"}
    assert first.state is ItemState.PENDING and first.redacted_text is None
    assert not items[1].flagged


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _decide(client, item, action, version=None, **data):
    html = _page(client, f"/moderation/items/{item.id}")
    form = {"csrf_token": csrf_token_from(html), "action": action, "version": version or item.version, **data}
    return client.post(f"/moderation/items/{item.id}/decide", data=form, follow_redirects=True)


def test_decisions_and_undo_are_audited(client, auth, create_process):
    facilitator = auth.login(Role.FACILITATOR)
    item = make_item(create_process())
    page = _decide(client, item, "reject", reason="spam", note="publicité")
    assert "Élément rejeté." in page.get_data(as_text=True)
    db.session.refresh(item)
    assert item.state is ItemState.REJECTED and item.reject_reason is RejectReason.SPAM
    assert item.decided_by_id == facilitator.id
    page = _decide(client, item, "undo")
    assert "Décision annulée" in page.get_data(as_text=True)
    db.session.refresh(item)
    assert item.state is ItemState.PENDING and item.reject_reason is None
    _decide(client, item, "approve")
    db.session.refresh(item)
    assert item.state is ItemState.APPROVED and item.redacted_text == item.text
    rows = db.session.execute(
        sa.select(AuditLog.action, AuditLog.actor_id, AuditLog.details)
        .where(AuditLog.object_type == "moderation_items", AuditLog.object_id == str(item.id))
        .where(AuditLog.action.startswith("moderation."))  # not the views of the item (access.moderation_item)
        .order_by(AuditLog.id)
    ).all()
    assert [r.action for r in rows] == ["moderation.reject", "moderation.undo", "moderation.approve"]
    assert {r.actor_id for r in rows} == {facilitator.id}
    assert rows[0].details["reason"] == "spam" and rows[0].details["note"] == "publicité"


def test_reject_as_duplicate_needs_the_other_item(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    original, copy = make_item(process), make_item(process)
    page = _decide(client, copy, "reject", reason="duplicate").get_data(as_text=True)
    assert "Indiquez le numéro de l’élément" in page
    _decide(client, copy, "reject", reason="duplicate", duplicate_of=original.id)
    db.session.refresh(copy)
    assert copy.state is ItemState.REJECTED and copy.duplicate_of_id == original.id


def test_a_stale_decision_is_refused_with_a_message_and_the_first_wins(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    item = make_item(create_process())
    seen = item.version  # both facilitators loaded the page at this version
    _decide(client, item, "approve", version=seen)
    page = _decide(client, item, "reject", version=seen, reason="spam").get_data(as_text=True)
    assert "Quelqu’un d’autre a décidé de cet élément pendant que vous le lisiez" in page
    db.session.refresh(item)
    assert item.state is ItemState.APPROVED and item.version == seen + 1


def test_stale_version_in_the_domain(create_process, create_user):
    actor = create_user(Role.FACILITATOR)
    item = make_item(create_process())
    decisions.approve(item, actor, item.version)
    with pytest.raises(decisions.StaleDecision):
        decisions.undo(item, actor, item.version - 1)


def test_approval_of_detected_personal_information_needs_redaction(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    item = make_item(create_process(), "Écrivez à julie.roy@example.org pour le comptoir.", scan=True)
    assert item.flagged
    html = _page(client, f"/moderation/items/{item.id}")
    assert '<mark>julie.roy@example.org<span class="visually-hidden"> (Adresse courriel)</span></mark>' in html
    page = _decide(client, item, "approve").get_data(as_text=True)
    assert "Des renseignements personnels ont été détectés" in page
    db.session.refresh(item)
    assert item.state is ItemState.PENDING
    client.post(
        f"/moderation/items/{item.id}/redact",
        data={"csrf_token": csrf_token_from(html), "version": item.version},
    )
    db.session.refresh(item)
    assert item.redacted_text == "Écrivez à [courriel] pour le comptoir."
    assert item.text == "Écrivez à julie.roy@example.org pour le comptoir."
    client.post(  # start the redaction again, then redact what was detected once more
        f"/moderation/items/{item.id}/redact",
        data={"csrf_token": csrf_token_from(html), "version": item.version, "reset": "1"},
    )
    db.session.refresh(item)
    assert item.redacted_text is None
    client.post(
        f"/moderation/items/{item.id}/redact",
        data={"csrf_token": csrf_token_from(html), "version": item.version},
    )
    db.session.refresh(item)
    assert item.redacted_text == "Écrivez à [courriel] pour le comptoir."
    _decide(client, item, "approve")
    db.session.refresh(item)
    assert item.state is ItemState.APPROVED and item.public_text == "Écrivez à [courriel] pour le comptoir."


def test_manual_redaction_by_text_and_by_offsets(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    item = make_item(create_process(), "Mon fils Théo va à l’école du Rocher.")
    html = _page(client, f"/moderation/items/{item.id}")
    token = csrf_token_from(html)
    url = f"/moderation/items/{item.id}/redact-selection"
    missing = client.post(
        url, data={"csrf_token": token, "version": item.version, "text_to_redact": "Zoé", "kind": "name"}
    )
    assert missing.status_code == 400
    assert "Ce texte n’apparaît pas dans l’élément" in missing.get_data(as_text=True)
    client.post(url, data={"csrf_token": token, "version": item.version, "text_to_redact": "Théo", "kind": "name"})
    db.session.refresh(item)
    assert item.redacted_text == "Mon fils [nom] va à l’école du Rocher."
    start = item.redacted_text.index("Rocher")
    client.post(
        url, data={"csrf_token": token, "version": item.version, "start": start, "end": start + 6, "kind": "other"}
    )
    db.session.refresh(item)
    assert item.redacted_text == "Mon fils [nom] va à l’école du [caviardé]."
    assert item.text == "Mon fils Théo va à l’école du Rocher."
    bad = client.post(url, data={"csrf_token": token, "version": item.version, "start": 5, "end": 500, "kind": "other"})
    assert bad.status_code == 400


def test_redaction_in_the_domain_refuses_a_stale_version(create_process, create_user):
    actor = create_user(Role.FACILITATOR)
    item = make_item(create_process(), "Appelez le 819-555-1234.", scan=True)
    redaction.redact_detected(item, actor, item.version)
    assert item.redacted_text == "Appelez le [téléphone]."
    with pytest.raises(decisions.StaleDecision):
        redaction.redact_detected(item, actor, 1)


def _bulk(client, ids, **data):
    html = _page(client, "/moderation/items")
    form = {"csrf_token": csrf_token_from(html), "item": [str(i) for i in ids], "next": "/moderation/items", **data}
    return client.post("/moderation/items/bulk", data=form, follow_redirects=True)


def test_bulk_approve_reject_and_tag(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    plain = [make_item(process, f"Idée {n}") for n in range(3)]
    private = make_item(process, "Courriel : paul@example.org", scan=True)
    page = _bulk(client, [plain[0].id, plain[1].id, private.id], action="approve").get_data(as_text=True)
    assert "2 éléments décidés." in page and f"#{private.id}" in page
    db.session.expire_all()
    assert [db.session.get(ModerationItem, i.id).state for i in (*plain, private)] == [
        ItemState.APPROVED,
        ItemState.APPROVED,
        ItemState.PENDING,
        ItemState.PENDING,
    ]
    _bulk(client, [plain[2].id], action="reject", reason="off_topic")
    db.session.expire_all()
    assert db.session.get(ModerationItem, plain[2].id).reject_reason is RejectReason.OFF_TOPIC
    theme = Theme(process_id=process.id, name_fr="Transport")
    db.session.add(theme)
    db.session.commit()
    page = _bulk(client, [plain[0].id, plain[1].id], action="tag", theme=theme.id).get_data(as_text=True)
    assert "2 éléments étiquetés." in page
    db.session.expire_all()
    assert [t.name_fr for t in db.session.get(ModerationItem, plain[0].id).themes] == ["Transport"]
    assert count_rows(AuditLog) >= 4


def test_filters_combine_and_search(client, auth, create_process, create_territory):
    auth.login(Role.FACILITATOR)
    process, other = create_process(), create_process()
    territory = create_territory()
    make_item(process, "Le transport scolaire arrive trop tôt", territory=territory, language="fr")
    make_item(process, "School bus comes too early", language="en")
    make_item(process, "TRANSPORT en commun le soir", state=ItemState.APPROVED)
    make_item(other, "transport ailleurs")

    def texts(query):
        html = _page(client, f"/moderation/items?{query}")
        return re.findall(r'<td class="item-excerpt">(?:<span lang="[^"]+">)?([^<]*)', html)  # a text in English: lang

    assert texts(f"process={process.id}&q=transport") == [
        "TRANSPORT en commun le soir",
        "Le transport scolaire arrive trop tôt",
    ]
    assert texts(f"process={process.id}&q=transport&state=pending") == ["Le transport scolaire arrive trop tôt"]
    assert texts(f"process={process.id}&territory={territory.id}") == ["Le transport scolaire arrive trop tôt"]
    assert texts(f"process={process.id}&language=en") == ["School bus comes too early"]
    assert texts("q=100%25_") == []


def test_question_filter_from_the_results_page(client, auth, completed):
    auth.login(Role.FACILITATOR)
    _process, survey, _response, _territory = completed
    question = survey.question("besoin")
    html = _page(client, f"/moderation/items?question={question.id}")
    assert "Appelez Marie Tremblay" in html and "Ma voisine" not in html


def test_queue_query_count_does_not_grow(client, auth, create_process, create_territory, count_queries):
    auth.login(Role.FACILITATOR)
    process = create_process()
    territory = create_territory()
    theme = Theme(process_id=process.id, name_fr="Thème")
    db.session.add(theme)
    db.session.commit()

    def add(n):
        for k in range(n):
            item = make_item(process, f"Texte {k}", territory=territory)
            item.themes.append(theme)
        db.session.commit()

    add(10)
    with count_queries() as small:
        client.get(f"/moderation/items?process={process.id}")
    add(90)
    with count_queries() as large:
        assert client.get(f"/moderation/items?process={process.id}").status_code == 200
    assert len(large.statements) == len(small.statements)


def test_hostile_texts_are_kept_verbatim_and_escaped(client, auth, create_process):
    from tests.support.hostile import HOSTILE_STRINGS

    auth.login(Role.FACILITATOR)
    process = create_process()
    for text in HOSTILE_STRINGS:
        item = make_item(process, text, scan=True)
        assert db.session.get(ModerationItem, item.id).text == text
        html = _page(client, f"/moderation/items/{item.id}")
        assert "<script>alert" not in html and "<img src=x" not in html


def test_queue_pages_and_a_capped_count(client, auth, create_process, monkeypatch):
    from app.moderation import queue

    monkeypatch.setattr(queue, "COUNT_CAP", 5)
    monkeypatch.setattr(queue, "PER_PAGE", 3)
    auth.login(Role.FACILITATOR)
    process = create_process()
    for n in range(8):
        make_item(process, f"Texte numéro {n}")
    first = _page(client, f"/moderation/items?process={process.id}")
    assert "Plus de 5 éléments" in first and "Texte numéro 7" in first and "Texte numéro 4" not in first
    assert f'href="/moderation/items?page=2&amp;process={process.id}" rel="next"' in first
    last = _page(client, f"/moderation/items?process={process.id}&page=3")
    assert "Texte numéro 0" in last and 'rel="next"' not in last and 'rel="prev"' in last
    monkeypatch.setattr(queue, "COUNT_CAP", 100)
    assert "8 éléments" in _page(client, f"/moderation/items?process={process.id}")
