"""Issue 15, the consolidation half, as a facilitator lives it: redaction that composes, split orientations with
their own texts, suggested groups without placeholders, unique themes, orientations from pending items."""

import re

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


# --- suggested groups never form around placeholders ---------------------------------------------------------

TOPICS = {
    "transport": [
        "Le transport scolaire en autobus est trop long le matin",
        "Il faut plus d’autobus pour le transport scolaire",
        "Le transport en autobus scolaire prend une heure",
        "Transport scolaire : l’autobus passe trop tôt",
        "Les trajets d’autobus scolaire sont trop longs",
    ],
    "garde": [
        "Manque de places en garderie pour les poupons",
        "Les places en garderie subventionnée sont rares",
        "Trouver une place en garderie prend des mois",
        "Plus de places en garderie dans notre village",
        "La liste d’attente pour une place en garderie est longue",
    ],
}
PLACEHOLDER_WORDS = {"nom", "courriel", "téléphone", "adresse", "caviardé", "name", "email", "phone"}


def test_suggested_groups_ignore_redaction_placeholders(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    ids = {}
    for topic, texts in TOPICS.items():
        for n, text in enumerate(texts):
            # Half of each topic's texts had personal information, in either language.
            suffix = [" Écrivez à [nom], [courriel], [téléphone], [adresse].", " [caviardé] [name] [email] [phone]."]
            redacted = text + (suffix[n % 2] if n < 3 else "")
            item = make_item(process, text, state=ItemState.APPROVED, redacted=redacted)
            ids.setdefault(topic, set()).add(item.id)
    html = _page(client, f"/moderation/processes/{process.id}/suggestions")
    terms = re.findall(r"<strong>Termes clés :</strong> ([^<]*)</p>", html)
    assert len(terms) == 2, html
    for line in terms:
        assert not {t.strip() for t in line.split(",")} & PLACEHOLDER_WORDS, line
    forms = re.findall(r'<form method="post" action="[^"]+/suggestions">(.*?)</form>', html, re.S)
    groups = [{int(i) for i in re.findall(r'name="item" value="(\d+)"', f)} for f in forms]
    assert sorted(groups, key=min) == sorted(ids.values(), key=min)
