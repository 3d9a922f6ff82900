"""Issue 15, the consolidation half, as a facilitator lives it: redaction that composes, split orientations with
their own texts, suggested groups without placeholders, unique themes, orientations from pending items."""

import sqlalchemy as sa

from app.extensions import db
from app.models import ItemState, Role
from tests.conftest import csrf_token_from
from tests.integration.moderation_helpers import make_item


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _post(client, page_url, url, **data):
    token = csrf_token_from(_page(client, page_url))
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=True)


# --- redactions compose ------------------------------------------------------------------------------------

TEXT = "Écrivez à julie.roy@example.org, à l’école du Rocher."


def _redact_selection(client, item, words):
    db.session.refresh(item)
    url = f"/moderation/items/{item.id}"
    return _post(client, url, f"{url}/redact-selection", version=item.version, text_to_redact=words, kind="other")


def _redact_all(client, item):
    db.session.refresh(item)
    url = f"/moderation/items/{item.id}"
    return _post(client, url, f"{url}/redact", version=item.version)


def test_a_manual_redaction_survives_redact_all_detected(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    item = make_item(create_process(), TEXT, scan=True)
    assert [s["kind"] for s in item.pii_spans] == ["email"]
    _redact_selection(client, item, "Rocher")
    page = _redact_all(client, item).get_data(as_text=True)
    assert "Caviardage enregistré." in page
    db.session.refresh(item)
    assert item.redacted_text == "Écrivez à [courriel], à l’école du [caviardé]."
    assert "Rocher" not in page.split("Ce que verront les partenaires")[1]
    # Twice is the same as once; the other order gives the same text.
    _redact_all(client, item)
    db.session.refresh(item)
    assert item.redacted_text == "Écrivez à [courriel], à l’école du [caviardé]."
    other = make_item(create_process(), TEXT, scan=True)
    _redact_all(client, other)
    _redact_selection(client, other, "Rocher")
    db.session.refresh(other)
    assert other.redacted_text == item.redacted_text


def test_redact_all_covers_a_detected_span_partly_redacted_by_hand(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    item = make_item(create_process(), TEXT, scan=True)
    _redact_selection(client, item, "julie")
    _redact_all(client, item)
    db.session.refresh(item)
    assert "julie" not in item.redacted_text and "example.org" not in item.redacted_text
    assert item.redacted_text.startswith("Écrivez à [") and item.redacted_text.endswith(", à l’école du Rocher.")
    assert item.text == TEXT
