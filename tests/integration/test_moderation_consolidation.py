"""Themes, suggested groups, orientations (evidence, revisions, diff, merge, split, traceability)."""

import re

import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    AuditLog,
    ItemState,
    ModerationItem,
    Orientation,
    OrientationEvidence,
    OrientationRevision,
    OrientationState,
    Role,
    Theme,
    item_themes,
)
from app.orientations import orientations as orient
from app.orientations import themes
from tests.conftest import count_rows, csrf_token_from
from tests.integration.moderation_helpers import make_item, make_orientation

TRANSPORT = [
    "Le transport scolaire en autobus est trop long le matin",
    "Il faut plus d’autobus pour le transport scolaire",
    "Le transport en autobus scolaire prend une heure",
    "Transport scolaire : l’autobus passe trop tôt",
    "Les trajets d’autobus scolaire sont trop longs",
]
GARDE = [
    "Manque de places en garderie pour les poupons",
    "Les places en garderie subventionnée sont rares",
    "Trouver une place en garderie prend des mois",
    "Plus de places en garderie dans notre village",
    "La liste d’attente pour une place en garderie est longue",
]


def _post(client, page_url, url, **data):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=True)


def test_theme_create_rename_merge_and_counts(client, auth, create_process, create_territory):
    auth.login(Role.FACILITATOR)
    process = create_process()
    coaticook, granit = create_territory("Coaticook"), create_territory("Le Granit")
    items = [
        make_item(process, "a", territory=coaticook, group="parents"),
        make_item(process, "b", territory=coaticook, group="employeurs"),
        make_item(process, "c", territory=granit, group="parents"),
    ]
    url = f"/moderation/processes/{process.id}/themes"
    page = _post(client, url, url, name_fr="Transport", name_en="Transportation").get_data(as_text=True)
    assert "Thème créé." in page
    _post(client, url, url, name_fr="Autobus")
    transport, bus = db.session.scalars(sa.select(Theme).where(Theme.process_id == process.id).order_by(Theme.id))
    themes.tag_items(transport, [items[0].id, items[1].id])
    themes.tag_items(bus, [items[1].id, items[2].id])
    db.session.commit()
    edit = f"/moderation/themes/{bus.id}/edit"
    _post(client, edit, edit, name_fr="Autobus scolaires", name_en="")
    page = _post(client, edit, f"/moderation/themes/{bus.id}/merge", into=transport.id).get_data(as_text=True)
    assert "Thèmes fusionnés." in page
    db.session.expire_all()
    assert bus.merged_into_id == transport.id and bus.name_fr == "Autobus scolaires"
    assert themes.theme_counts(process.id)[transport.id] == 3
    assert themes.counts_by_territory(process.id)[transport.id] == [("Coaticook", 2), ("Le Granit", 1)]
    assert themes.counts_by_group(process.id)[transport.id] == [("employeurs", 1), ("parents", 2)]
    assert "Autobus scolaires" not in client.get(url).get_data(as_text=True)


def test_theme_names_are_trimmed_and_held_by_one_theme(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    url = f"/moderation/processes/{process.id}/themes"
    _post(client, url, url, name_fr="  Transport ", name_en=" Transportation ", description_fr="Les trajets.")
    (transport,) = db.session.scalars(sa.select(Theme).where(Theme.process_id == process.id))
    assert (transport.name_fr, transport.name_en, transport.description_fr) == (
        "Transport",
        "Transportation",
        "Les trajets.",
    )
    taken = _post(client, url, url, name_fr="Autobus", name_en="transportation")
    assert taken.status_code == 400 and "Un thème de cette démarche porte déjà ce nom" in taken.get_data(as_text=True)
    _post(client, url, url, name_fr="Autobus")
    bus = db.session.scalar(sa.select(Theme).where(Theme.name_fr == "Autobus"))
    edit = f"/moderation/themes/{bus.id}/edit"
    clash = _post(client, edit, edit, name_fr="TRANSPORT", name_en="")
    assert clash.status_code == 400 and "Un thème de cette démarche porte déjà ce nom" in clash.get_data(as_text=True)
    _post(client, edit, edit, name_fr=" Autobus scolaires ", name_en="School buses", description_fr="Matin et soir.")
    db.session.expire_all()
    assert (bus.name_fr, bus.name_en, bus.description_fr) == ("Autobus scolaires", "School buses", "Matin et soir.")


def _approved_corpus(process):
    return [make_item(process, text, state=ItemState.APPROVED) for text in TRANSPORT + GARDE]


def test_suggested_groups_become_a_theme_and_an_orientation(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = _approved_corpus(process)
    make_item(process, "Le transport scolaire, texte en attente", state=ItemState.PENDING)
    url = f"/moderation/processes/{process.id}/suggestions"
    html = client.get(url).get_data(as_text=True)
    assert "Groupe 1" in html and "Groupe 2" in html and "texte en attente" not in html
    forms = re.findall(r'<form method="post" action="[^"]+/suggestions">(.*?)</form>', html, re.S)
    groups = [[int(i) for i in re.findall(r'name="item" value="(\d+)"', f)] for f in forms]
    transport_ids = {i.id for i in items[:5]}
    group = next(g for g in groups if set(g) & transport_ids)
    assert set(group) == transport_ids
    page = _post(client, url, url, action="theme", name="Transport scolaire", item=[str(i) for i in group])
    assert "Thème « Transport scolaire » créé avec 5 éléments." in page.get_data(as_text=True)
    theme = db.session.scalar(sa.select(Theme).where(Theme.process_id == process.id))
    assert sorted(db.session.scalars(sa.select(item_themes.c.item_id).where(item_themes.c.theme_id == theme.id))) == (
        sorted(group)
    )
    other = next(g for g in groups if not set(g) & transport_ids)
    page = _post(client, url, url, action="orientation", name="Places en garderie", item=[str(i) for i in other])
    assert "Projet d’orientation créé avec ses éléments de preuve." in page.get_data(as_text=True)
    orientation = db.session.scalar(sa.select(Orientation).where(Orientation.process_id == process.id))
    assert orientation.title_fr == "Places en garderie" and orientation.state is OrientationState.DRAFT
    assert count_rows(OrientationEvidence) == len(other)
    # Dismissing hides the group for this facilitator; nothing is written.
    _post(client, url, url, action="dismiss", item=[str(i) for i in group])
    assert f'name="item" value="{group[0]}"' not in client.get(url).get_data(as_text=True)


def test_nothing_is_applied_by_just_looking(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    _approved_corpus(process)
    client.get(f"/moderation/processes/{process.id}/suggestions")
    assert count_rows(Theme) == 0 and count_rows(Orientation) == 0


def test_evidence_summary_counts(create_process, create_territory, create_user, create_survey):
    process = create_process()
    coaticook, granit = create_territory(), create_territory()
    author = create_user(Role.PARTNER)
    from app.models import Response

    survey = create_survey(process=process)
    r1, r2 = Response(survey=survey, survey_version=1), Response(survey=survey, survey_version=1)
    db.session.add_all([r1, r2])
    db.session.commit()
    items = [
        make_item(process, "a", state=ItemState.APPROVED, territory=coaticook, group="parents", response=r1),
        make_item(process, "b", state=ItemState.APPROVED, territory=coaticook, group="parents", response=r1),
        make_item(process, "c", state=ItemState.APPROVED, territory=granit, group="employeurs", response=r2),
        make_item(process, "d", state=ItemState.APPROVED, author_id=author.id),
        make_item(process, "e en attente", territory=granit, group="élèves", response=r2),
    ]
    orientation = make_orientation(process, items, quotes=[items[0]])
    summary = orient.evidence_summary(orientation.id)
    assert (summary.items, summary.territories, summary.groups, summary.sources) == (5, 2, 3, 3)
    public = orient.evidence_summary(orientation.id, public=True)
    assert (public.items, public.territories, public.groups, public.sources) == (4, 2, 2, 3)
    assert public.by_territory == [(None, 1), (coaticook.name, 2), (granit.name, 1)] or public.by_territory == [
        (coaticook.name, 2),
        (granit.name, 1),
        (None, 1),
    ]
    quotes = orient.evidence(orientation.id, public=True, quotes_only=True)
    assert [item.text for item, _ in quotes] == ["a"]


def test_revisions_and_diff(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    item = make_item(process, "x", state=ItemState.APPROVED)
    new = f"/moderation/processes/{process.id}/orientations/new?item={item.id}"
    page = _post(
        client,
        new,
        new,
        title_fr="Réussite éducative",
        statement_fr="Première ligne\nDeuxième ligne",
        item=str(item.id),
    )
    assert "Projet d’orientation créé." in page.get_data(as_text=True)
    orientation = db.session.scalar(sa.select(Orientation).where(Orientation.process_id == process.id))
    edit = f"/moderation/orientations/{orientation.id}/edit"
    _post(
        client,
        edit,
        edit,
        title_fr="Réussite éducative",
        statement_fr="Première ligne\nLigne <b>modifiée</b>",
        note="précision",
    )
    page = _post(
        client, edit, edit, title_fr="Réussite éducative", statement_fr="Première ligne\nLigne <b>modifiée</b>"
    )
    assert "Rien n’a changé." in page.get_data(as_text=True)
    revisions = db.session.scalars(
        sa.select(OrientationRevision)
        .where(OrientationRevision.orientation_id == orientation.id)
        .order_by(OrientationRevision.number)
    ).all()
    assert [r.number for r in revisions] == [1, 2] and revisions[1].note == "précision"
    html = client.get(f"/moderation/orientations/{orientation.id}/history?from=1&to=2").get_data(as_text=True)
    assert "Différences entre la version 1 et la version 2" in html
    assert '<del><span class="visually-hidden">Retiré : </span>− Deuxième ligne</del>' in html
    assert '<ins><span class="visually-hidden">Ajouté : </span>+ Ligne &lt;b&gt;modifiée&lt;/b&gt;</ins>' in html
    assert orientation.evidence_count if hasattr(orientation, "evidence_count") else True


def test_transitions(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    orientation = make_orientation(create_process())
    url = f"/moderation/orientations/{orientation.id}"
    _post(client, url, f"{url}/state", state="in_review")
    db.session.expire_all()
    assert orientation.state is OrientationState.IN_REVIEW
    page = _post(client, url, f"{url}/state", state="adopted").get_data(as_text=True)
    assert "Ce changement d’état n’est pas possible maintenant." in page
    db.session.expire_all()
    assert orientation.state is OrientationState.IN_REVIEW


def test_merge_and_split_keep_every_item_and_link(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = [make_item(process, t, state=ItemState.APPROVED) for t in ("a", "b", "c", "d")]
    first = make_orientation(process, items[:2], title="Premier")
    second = make_orientation(process, items[1:], title="Second", quotes=[items[3]])
    links_before, items_before = count_rows(OrientationEvidence), count_rows(ModerationItem)
    url = f"/moderation/orientations/{first.id}"
    page = _post(client, url, f"{url}/merge", other=second.id).get_data(as_text=True)
    assert "Orientations fusionnées" in page
    db.session.expire_all()
    assert second.state is OrientationState.SET_ASIDE and second.merged_into_id == first.id
    assert count_rows(ModerationItem) == items_before
    assert count_rows(OrientationEvidence) == links_before + 2  # c and d joined the first; the second keeps its own
    assert [i.id for i, _ in orient.evidence(second.id)] == [items[3].id, items[1].id, items[2].id]
    assert {i.id for i, _ in orient.evidence(first.id)} == {i.id for i in items}
    assert "Premier" in client.get(f"/moderation/items/{items[3].id}").get_data(as_text=True)

    split_url = f"{url}/split"
    page = _post(client, split_url, split_url, title_fr="Partie choisie", item=[str(items[0].id), str(items[3].id)])
    assert "Orientation scindée en deux" in page.get_data(as_text=True)
    db.session.expire_all()
    assert first.state is OrientationState.SET_ASIDE
    parts = db.session.scalars(
        sa.select(Orientation).where(Orientation.split_from_id == first.id).order_by(Orientation.id)
    ).all()
    assert [p.title_fr for p in parts] == ["Premier", "Partie choisie"]
    assert {i.id for i, _ in orient.evidence(parts[0].id)} == {items[1].id, items[2].id}
    assert {i.id for i, quote in orient.evidence(parts[1].id)} == {items[0].id, items[3].id}
    assert {i.id for i, _ in orient.evidence(first.id)} == {i.id for i in items}  # the original keeps its links
    assert count_rows(ModerationItem) == items_before
    actions = set(db.session.scalars(sa.select(AuditLog.action).where(AuditLog.object_type == "orientations")))
    assert {"orientation.merge", "orientation.split"} <= actions


def test_split_needs_a_partial_selection(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = [make_item(process, t, state=ItemState.APPROVED) for t in ("a", "b")]
    orientation = make_orientation(process, items)
    url = f"/moderation/orientations/{orientation.id}/split"
    response = _post(client, url, url, title_fr="Tout", item=[str(items[0].id), str(items[1].id)])
    assert response.status_code == 400
    assert "Sélectionnez une partie des éléments de preuve, mais pas tous." in response.get_data(as_text=True)


def test_orientation_from_a_theme_and_from_a_queue_selection(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = [make_item(process, t, state=ItemState.APPROVED) for t in ("a", "b", "c")]
    pending = make_item(process, "en attente")
    theme = Theme(process_id=process.id, name_fr="Garde")
    db.session.add(theme)
    db.session.commit()
    themes.tag_items(theme, [items[0].id, items[1].id, pending.id])
    db.session.commit()
    url = f"/moderation/processes/{process.id}/orientations/new?theme={theme.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'value="Garde"' in html and "2 éléments de preuve" in html
    _post(client, url, url, title_fr="Garde", theme=str(theme.id))
    orientation = db.session.scalar(sa.select(Orientation))
    assert {i.id for i, _ in orient.evidence(orientation.id)} == {items[0].id, items[1].id}
    page = _post(
        client,
        "/moderation/items",
        "/moderation/items/bulk",
        action="orientation",
        item=[str(items[2].id)],
        next="/moderation/items",
    )
    assert "1 élément de preuve" in page.get_data(as_text=True)


def test_a_too_long_suggestion_name_is_refused_with_a_message(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    items = _approved_corpus(process)
    url = f"/moderation/processes/{process.id}/suggestions"
    page = _post(client, url, url, action="theme", name="x" * 201, item=[str(items[0].id)]).get_data(as_text=True)
    assert "Donnez un nom (en français, 200 caractères au plus)" in page
    assert count_rows(Theme) == 0
