"""Partners and the public see only approved, redacted text; comments and contributions enter the queue."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    Comment,
    Contribution,
    ItemSource,
    ItemState,
    ModerationItem,
    OrientationState,
    PhaseKind,
    RejectReason,
    Role,
)
from app.web.i18n import local_today
from tests.conftest import AuthActions, count_rows, csrf_token_from
from tests.integration.moderation_helpers import make_item, make_orientation
from tests.support.hostile import HOSTILE_STRINGS

SECRETS = ["TEXTE EN ATTENTE SECRET", "TEXTE REJETÉ SECRET", "À CAVIARDER SECRET", "marie.gagnon@example.org"]


@pytest.fixture
def published(create_process, create_territory):
    today = local_today()
    territory = create_territory("Memphrémagog")
    process = create_process(
        phases={PhaseKind.CONSULTATION: (today - timedelta(days=1), today + timedelta(days=30))},
        territories=[territory],
    )
    items = [
        make_item(process, "Texte approuvé visible", state=ItemState.APPROVED, territory=territory, group="parents"),
        make_item(
            process,
            "Écrire à marie.gagnon@example.org pour la halte-garderie",
            state=ItemState.APPROVED,
            redacted="Écrire à [courriel] pour la halte-garderie",
            scan=True,
        ),
        make_item(process, "TEXTE EN ATTENTE SECRET"),
        make_item(process, "TEXTE REJETÉ SECRET", state=ItemState.REJECTED, reject_reason=RejectReason.SPAM),
        make_item(process, "À CAVIARDER SECRET", state=ItemState.NEEDS_REDACTION),
    ]
    orientation = make_orientation(process, items, state=OrientationState.IN_REVIEW, quotes=items)
    draft = make_orientation(process, items, title="Brouillon caché")
    return process, items, orientation, draft


def _check(html):
    for secret in SECRETS:
        assert secret not in html
    assert "Texte approuvé visible" in html
    assert "Écrire à [courriel] pour la halte-garderie" in html


def test_partner_pages_show_only_approved_redacted_text(client, auth, published):
    process, _items, orientation, draft = published
    auth.login(Role.PARTNER)
    listing = client.get(f"/p/{process.slug}/orientations").get_data(as_text=True)
    assert "Accès aux services de garde" in listing and "Brouillon caché" not in listing
    page = client.get(f"/orientations/{orientation.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    _check(html)
    assert "Territoires représentés" in html
    assert client.get(f"/orientations/{draft.id}").status_code == 404
    for url in (f"/p/{process.slug}/contribute", f"/p/{process.slug}/orientations"):
        for secret in SECRETS:
            assert secret not in client.get(url).get_data(as_text=True)


def test_public_page_you_said_we_did(client, published):
    process, _items, _orientation, _draft = published
    response = client.get(f"/p/{process.slug}/vous-avez-dit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Vous avez dit… nous en avons fait" in html and "Brouillon caché" not in html
    for secret in SECRETS:
        assert secret not in html
    assert "Memphrémagog : 1" in html


def test_partners_cannot_reach_facilitator_pages(client, auth, published):
    _process, items, orientation, _draft = published
    auth.login(Role.PARTNER)
    assert client.get(f"/moderation/items/{items[2].id}").status_code == 403
    assert client.get(f"/moderation/orientations/{orientation.id}").status_code == 403


def test_a_comment_enters_the_queue_and_is_not_shown_before_approval(client, auth, published):
    _process, _items, orientation, _draft = published
    auth.login(Role.PARTNER)
    url = f"/orientations/{orientation.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/comments", data={"csrf_token": token, "text": "Commentaire très franc"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Merci. Votre commentaire sera lu" in html and "Commentaire très franc" not in html
    item = db.session.scalar(sa.select(ModerationItem).where(ModerationItem.source == ItemSource.COMMENT))
    assert item.text == "Commentaire très franc" and item.state is ItemState.PENDING
    assert item.comment.orientation_id == orientation.id
    empty = client.post(f"{url}/comments", data={"csrf_token": token, "text": "   "})
    assert empty.status_code == 400 and count_rows(Comment) == 1


def test_hostile_comments_and_contributions_are_stored_verbatim_and_escaped(app, client, auth, published, create_user):
    process, _items, orientation, _draft = published
    auth.login(Role.PARTNER)
    url = f"/orientations/{orientation.id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    for text in HOSTILE_STRINGS:
        client.post(f"{url}/comments", data={"csrf_token": token, "text": text})
        client.post(
            f"/p/{process.slug}/contribute",
            data={"csrf_token": token, "title": text[:300], "description": text, "why_it_matters": text},
        )
    comments = db.session.scalars(sa.select(Comment.text).order_by(Comment.id)).all()
    assert comments == HOSTILE_STRINGS
    descriptions = db.session.scalars(sa.select(Contribution.description).order_by(Contribution.id)).all()
    assert descriptions == [t for t in HOSTILE_STRINGS if t.strip()]
    facilitator = app.test_client()
    AuthActions(facilitator, create_user).login(Role.FACILITATOR)
    for item in db.session.scalars(
        sa.select(ModerationItem).where(ModerationItem.source.in_([ItemSource.COMMENT, ItemSource.CONTRIBUTION]))
    ):
        html = facilitator.get(f"/moderation/items/{item.id}").get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html


def test_contributions_only_during_an_open_phase(client, auth, create_process, create_organization, create_user):
    today = local_today()
    organization = create_organization(name="CPE Les Lucioles")
    open_process = create_process(phases={PhaseKind.SYNTHESIS: (today, today + timedelta(days=3))})
    closed = create_process(phases={PhaseKind.VALIDATION: (today, today + timedelta(days=3))})
    auth.login(create_user(Role.PARTNER, organization=organization))
    html = client.get(f"/p/{open_process.slug}/contribute").get_data(as_text=True)
    assert "Au nom de CPE Les Lucioles." in html
    data = {
        "csrf_token": csrf_token_from(html),
        "title": "Haltes-garderies",
        "description": "Des haltes partout.",
        "why_it_matters": "Les parents du Granit travaillent loin.",
    }
    client.post(f"/p/{open_process.slug}/contribute", data=data)
    contribution = db.session.scalar(sa.select(Contribution))
    assert contribution.organization_id == organization.id
    item = db.session.scalar(sa.select(ModerationItem).where(ModerationItem.contribution_id == contribution.id))
    assert item.text == "Haltes-garderies\n\nDes haltes partout.\n\nLes parents du Granit travaillent loin."
    refused = client.post(f"/p/{closed.slug}/contribute", data=data)
    assert refused.status_code == 409 and "aucune n’est en cours" in refused.get_data(as_text=True)
    assert count_rows(Contribution) == 1
