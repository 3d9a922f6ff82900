"""Issue 15, the consolidation half, as a facilitator lives it: redaction that composes, split orientations with
their own texts, suggested groups without placeholders, unique themes, orientations from pending items."""

import re

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Contribution, ItemState, Orientation, OrientationState, Role, Theme, item_themes
from app.moderation import items as item_service
from app.orientations import orientations as orient
from app.orientations import themes
from tests.conftest import csrf_token_from
from tests.integration.moderation_helpers import make_item, make_orientation


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


# --- themes: unique names, merges that retag, two languages ---------------------------------------------------


def _themes(process):
    return db.session.scalars(sa.select(Theme).where(Theme.process_id == process.id).order_by(Theme.id)).all()


def _tags(item):
    return set(db.session.scalars(sa.select(item_themes.c.theme_id).where(item_themes.c.item_id == item.id)))


def test_a_theme_name_is_unique_per_process_whatever_its_case_and_accents(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process, other_process = create_process(), create_process()
    url = f"/moderation/processes/{process.id}/themes"
    _post(client, url, url, name_fr="Éducation", name_en="Education")
    for name_fr, name_en in (("education", ""), ("  ÉDUCATION ", ""), ("Réussite", "EDUCATION")):
        response = _post(client, url, url, name_fr=name_fr, name_en=name_en)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "Un thème de cette démarche porte déjà ce nom : « Éducation »." in page
        assert f'value="{name_fr}"' in page  # what was typed is shown again
    assert [t.name_fr for t in _themes(process)] == ["Éducation"]
    other = f"/moderation/processes/{other_process.id}/themes"
    assert _post(client, other, other, name_fr="Education").status_code == 200  # another process: its own names
    # Renaming into another theme's name is refused the same way.
    _post(client, url, url, name_fr="Transport")
    transport = _themes(process)[1]
    edit = f"/moderation/themes/{transport.id}/edit"
    response = _post(client, edit, edit, name_fr="EDUCATION", name_en="")
    assert response.status_code == 400 and "porte déjà ce nom" in response.get_data(as_text=True)
    db.session.expire_all()
    assert transport.name_fr == "Transport"


def test_the_database_refuses_two_active_themes_with_the_same_name(create_process):
    process = create_process()
    db.session.add(Theme(process_id=process.id, name_fr="Loisirs"))
    db.session.flush()
    db.session.add(Theme(process_id=process.id, name_fr="loisirs"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_suggestion_accepted_under_an_existing_theme_name_joins_that_theme(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = [make_item(process, text, state=ItemState.APPROVED) for text in TOPICS["transport"] + TOPICS["garde"]]
    themes_url = f"/moderation/processes/{process.id}/themes"
    _post(client, themes_url, themes_url, name_fr="Transport scolaire", name_en="School transport")
    existing = _themes(process)[0]
    url = f"/moderation/processes/{process.id}/suggestions"
    html = _page(client, url)
    assert 'name="name_en"' in html  # a theme made from a suggestion gets its English name too
    ids = [str(i.id) for i in items[:5]]
    page = _post(client, url, url, action="theme", name="transport SCOLAIRE", item=ids).get_data(as_text=True)
    assert "Les 5 éléments ont rejoint le thème existant « Transport scolaire »." in page
    assert [t.id for t in _themes(process)] == [existing.id]
    assert all(_tags(item) == {existing.id} for item in items[:5])
    ids = [str(i.id) for i in items[5:]]
    _post(client, url, url, action="theme", name="Garde", name_en="Childcare", item=ids)
    garde = _themes(process)[1]
    assert (garde.name_fr, garde.name_en) == ("Garde", "Childcare")


def test_merging_themes_retags_every_item(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = [make_item(process, t, state=ItemState.APPROVED) for t in ("a", "b", "c")]
    url = f"/moderation/processes/{process.id}/themes"
    _post(client, url, url, name_fr="Autobus")
    _post(client, url, url, name_fr="Transport")
    bus, transport = _themes(process)
    themes.tag_items(bus, [items[0].id, items[1].id])
    themes.tag_items(transport, [items[1].id, items[2].id])
    db.session.commit()
    edit = f"/moderation/themes/{bus.id}/edit"
    assert "Thèmes fusionnés." in _post(client, edit, f"/moderation/themes/{bus.id}/merge", into=transport.id).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert [_tags(item) for item in items] == [{transport.id}] * 3
    item_page = _page(client, f"/moderation/items/{items[0].id}")
    assert "Transport" in item_page and "Autobus" not in item_page
    queue = _page(client, f"/moderation/items?process={process.id}&theme={bus.id}")
    assert f"/moderation/items/{items[0].id}" not in queue
    # The merged-away name is free again.
    assert _post(client, url, url, name_fr="Autobus").status_code == 200


# --- a split orientation gets its own title and statement -----------------------------------------------------


def test_a_split_asks_for_the_new_orientations_own_texts_and_publishes_nothing(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    bus = [make_item(process, t, state=ItemState.APPROVED) for t in TOPICS["transport"][:2]]
    garde = [make_item(process, t, state=ItemState.APPROVED) for t in TOPICS["garde"][:2]]
    original = make_orientation(process, bus + garde, state=OrientationState.IN_REVIEW, title="Services aux familles")
    public = f"/p/{process.slug}/vous-avez-dit"
    before = _page(client, public)
    assert "Services aux familles" in before and "Augmenter l’accès." in before
    url = f"/moderation/orientations/{original.id}/split"
    form = _page(client, url)
    assert 'name="statement_fr"' in form and 'name="statement_en"' in form
    page = _post(client, url, url, title_fr="Transport scolaire", item=[str(i.id) for i in bus]).get_data(as_text=True)
    assert "Orientation scindée en deux" in page
    db.session.expire_all()
    rest, part = db.session.scalars(
        sa.select(Orientation).where(Orientation.split_from_id == original.id).order_by(Orientation.id)
    ).all()
    # The new orientation: its own title, a statement drafted from the words of its evidence, a draft.
    assert part.title_fr == "Transport scolaire" and part.state is OrientationState.DRAFT
    assert part.statement_fr != "Augmenter l’accès."
    assert TOPICS["transport"][0] in part.statement_fr and TOPICS["garde"][0] not in part.statement_fr
    # What the public reads has not changed: the rest keeps the original's texts and its state.
    assert (rest.title_fr, rest.statement_fr, rest.state) == (
        "Services aux familles",
        "Augmenter l’accès.",
        OrientationState.IN_REVIEW,
    )
    after = _page(client, public)
    assert "Transport scolaire" not in after and after.count("Augmenter l’accès.") == 1
    # Once the facilitator writes and publishes it, the public page shows it under its own texts.
    edit = f"/moderation/orientations/{part.id}/edit"
    _post(client, edit, edit, title_fr="Transport scolaire", statement_fr="Raccourcir les trajets d’autobus.")
    manage = f"/moderation/orientations/{part.id}"
    _post(client, manage, f"{manage}/state", state="in_review")
    after = _page(client, public)
    assert "Raccourcir les trajets d’autobus." in after and after.count("Augmenter l’accès.") == 1


def test_a_split_with_the_facilitators_statement(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = [make_item(process, t, state=ItemState.APPROVED) for t in ("a", "b", "c")]
    original = make_orientation(process, items)
    url = f"/moderation/orientations/{original.id}/split"
    _post(
        client,
        url,
        url,
        title_fr="Partie",
        title_en="Part",
        statement_fr="Énoncé propre.",
        statement_en="Own statement.",
        item=[str(items[0].id)],
    )
    part = db.session.scalars(sa.select(Orientation).where(Orientation.split_from_id == original.id)).all()[-1]
    assert (part.title_en, part.statement_fr, part.statement_en) == ("Part", "Énoncé propre.", "Own statement.")


# --- "En faire une orientation" on pending items ----------------------------------------------------------------


def _contribution_item(process, partner, title, description):
    contribution = Contribution(
        process_id=process.id, author_id=partner.id, title=title, description=description, language="fr"
    )
    db.session.add(contribution)
    db.session.flush()
    item = item_service.item_from_contribution(contribution)
    db.session.commit()
    return item


def _draft_orientation_from_queue(client, process, items):
    queue = f"/moderation/items?process={process.id}"
    return _post(
        client, queue, "/moderation/items/bulk", action="orientation", item=[str(i.id) for i in items], next=queue
    )


def test_an_orientation_from_a_pending_contribution_approves_it_on_save(client, auth, create_process, create_user):
    auth.login(Role.FACILITATOR)
    process = create_process()
    partner = create_user(Role.PARTNER)
    item = _contribution_item(process, partner, "Des haltes-garderies l’été", "Ouvrir des haltes-garderies en été.")
    assert item.state is ItemState.PENDING and not item.flagged
    response = _draft_orientation_from_queue(client, process, [item])
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Des haltes-garderies l’été"' in page  # the contribution's title is carried over
    assert "1 élément de preuve" in page
    assert "Cet élément est en attente : il sera approuvé quand vous enregistrerez l’orientation." in page
    db.session.refresh(item)
    assert item.state is ItemState.PENDING  # nothing is decided by looking at the form
    url = f"/moderation/processes/{process.id}/orientations/new?item={item.id}"
    page = _post(client, url, url, title_fr="Des haltes-garderies l’été", item=str(item.id)).get_data(as_text=True)
    assert "Projet d’orientation créé." in page
    db.session.refresh(item)
    orientation = db.session.scalar(sa.select(Orientation).where(Orientation.process_id == process.id))
    assert item.state is ItemState.APPROVED and item.redacted_text == item.text
    assert [i.id for i, _ in orient.evidence(orientation.id)] == [item.id]


def test_an_orientation_from_items_that_cannot_be_evidence_says_why(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    flagged = make_item(process, "Appelez Julie au 819-555-1234 pour la halte-garderie.", scan=True)
    rejected = make_item(process, "Publicité", state=ItemState.REJECTED, reject_reason="spam")
    page = _draft_orientation_from_queue(client, process, [flagged, rejected]).get_data(as_text=True)
    words = re.sub(r"<[^>]+>", "", page)
    assert "0 élément de preuve" in page
    assert (
        f"#{flagged.id} : des renseignements personnels ont été détectés; caviardez-les d’abord, puis revenez ici."
        in words
    )
    assert f'href="/moderation/items/{flagged.id}"' in page
    assert f"#{rejected.id} : un élément rejeté ne peut pas servir de preuve." in words
    url = f"/moderation/processes/{process.id}/orientations/new"
    _post(client, url, url, title_fr="Garde", item=[str(flagged.id), str(rejected.id)])
    db.session.refresh(flagged)
    assert flagged.state is ItemState.PENDING and flagged.redacted_text is None
    # Once redacted, the same button approves it with its redaction.
    item_url = f"/moderation/items/{flagged.id}"
    _post(client, item_url, f"{item_url}/redact", version=flagged.version)
    page = _draft_orientation_from_queue(client, process, [flagged]).get_data(as_text=True)
    assert "1 élément de preuve" in page and "[téléphone]" in page and "819-555-1234" not in page
    _post(client, url, url, title_fr="Haltes", item=str(flagged.id))
    db.session.refresh(flagged)
    assert flagged.state is ItemState.APPROVED and flagged.public_text.endswith(
        "au [téléphone] pour la halte-garderie."
    )


def test_the_item_page_offers_to_draft_an_orientation(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    item = make_item(process)
    page = _page(client, f"/moderation/items/{item.id}")
    assert f'href="/moderation/processes/{process.id}/orientations/new?item={item.id}"' in page
