"""Events of a process: facilitator CRUD with attendance, the public timeline, ideas typed or imported becoming
moderation items whose source is the event, and evidence of an orientation that names the workshop."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.core.extensions import db
from app.models import (
    Event,
    EventAttendance,
    EventKind,
    EventScope,
    ItemSource,
    ItemState,
    ModerationItem,
    Orientation,
    PhaseKind,
    Role,
)
from app.orientations import orientations as orient
from tests.conftest import count_rows, csrf_token_from


def _post(client, page_url, url, data, **kwargs):
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def _event_form(territory, **overrides):
    data = {
        "kind": "workshop",
        "title_fr": "Atelier des parents à Coaticook",
        "title_en": "Parents' workshop in Coaticook",
        "starts_at": "2026-03-12T18:30",
        "scope": "territory",
        "territory_id": str(territory.id),
        "phase_id": "0",
        "count_parents": "23",
        "count_partners_community": "2",
        "summary_fr": "Les parents ont parlé de transport et de garde.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def process_with_phases(create_process, create_territory):
    return create_process(phases={PhaseKind.CONSULTATION: (date(2026, 1, 1), date(2026, 6, 30))})


def make_event(process, territory=None, *, starts_at=None, counts=None, kind="workshop", title="Atelier"):
    event = Event(
        process_id=process.id,
        kind=kind,
        title_fr=title,
        title_en=title,
        starts_at=starts_at or datetime(2026, 3, 12, 22, 30, tzinfo=UTC),
        scope=EventScope.TERRITORY if territory else EventScope.REGIONAL,
        territory_id=territory.id if territory else None,
    )
    for audience, count in (counts or {"parents": 20}).items():
        event.attendance.append(EventAttendance(audience=audience, count=count))
    db.session.add(event)
    db.session.commit()
    return event


def test_a_facilitator_records_an_event_with_its_attendance(
    client, auth, process_with_phases, create_territory, create_organization
):
    auth.login(Role.FACILITATOR)
    territory = create_territory("Coaticook")
    host = create_organization("Maison de la famille")
    page = f"/processes/{process_with_phases.id}/events/new"
    response = _post(client, page, page, {**_event_form(territory), "host_ids": str(host.id)})
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.title_fr == "Atelier des parents à Coaticook"
    assert event.starts_at == datetime(2026, 3, 12, 22, 30, tzinfo=UTC)  # 18:30 in Montréal (EDT)
    assert {row.audience: row.count for row in event.attendance} == {"parents": 23, "partners_community": 2}
    assert [org.name for org in event.hosts] == ["Maison de la famille"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Événement enregistré." in html and "25" in html
    assert "hors des phases" not in html


def test_a_date_outside_the_phases_warns_but_is_saved(client, auth, process_with_phases, create_territory):
    auth.login(Role.FACILITATOR)
    territory = create_territory()
    page = f"/processes/{process_with_phases.id}/events/new"
    response = _post(client, page, page, _event_form(territory, starts_at="2026-09-01T10:00"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert count_rows(Event) == 1
    assert "Cette date est hors des phases de la démarche." in html


@pytest.mark.parametrize("bad", ["-1", "2.5", "douze", "100001"])
def test_attendance_must_be_a_whole_number_in_range(client, auth, process_with_phases, create_territory, bad):
    auth.login(Role.FACILITATOR)
    territory = create_territory()
    page = f"/processes/{process_with_phases.id}/events/new"
    response = _post(client, page, page, _event_form(territory, count_parents=bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Entrez un nombre entier de 0 à 100 000." in html
    assert 'value="Atelier des parents à Coaticook"' in html  # what was typed is shown again
    assert count_rows(Event) == 0


def test_a_local_event_needs_its_territory(client, auth, process_with_phases):
    auth.login(Role.FACILITATOR)
    page = f"/processes/{process_with_phases.id}/events/new"
    response = _post(client, page, page, {**_event_form(type("T", (), {"id": 0})), "territory_id": "0"})
    assert "Choisissez le territoire où a lieu l’événement." in response.get_data(as_text=True)
    assert count_rows(Event) == 0
    virtual = _post(client, page, page, {**_event_form(type("T", (), {"id": 0})), "scope": "virtual"})
    assert virtual.status_code == 302
    assert db.session.scalar(sa.select(Event.scope)) is EventScope.VIRTUAL


def test_edit_and_delete_an_event(client, auth, process_with_phases, create_territory):
    auth.login(Role.FACILITATOR)
    territory = create_territory()
    event = make_event(process_with_phases, territory, counts={"parents": 20, "youth": 4})
    page = f"/events/{event.id}/edit"
    assert 'value="20"' in client.get(page).get_data(as_text=True)
    response = _post(client, page, page, _event_form(territory, count_parents="21", title_fr="Atelier revu"))
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.title_fr == "Atelier revu"
    assert {row.audience: row.count for row in event.attendance} == {"parents": 21, "partners_community": 2}
    _post(client, f"/events/{event.id}", f"/events/{event.id}/delete", {})
    assert count_rows(Event) == 0


def test_facilitators_extend_the_list_of_kinds(client, auth, process_with_phases, create_territory):
    auth.login(Role.FACILITATOR)
    page = f"/processes/{process_with_phases.id}/events"
    url = f"/processes/{process_with_phases.id}/event-kinds"
    _post(client, page, url, {"label_fr": "Café-rencontre", "label_en": "Coffee meeting"})
    assert db.session.scalar(sa.select(EventKind.key)) == "cafe_rencontre"
    again = _post(client, page, url, {"label_fr": "café-rencontre"}, follow_redirects=True)
    assert "Ce type d’événement existe déjà." in again.get_data(as_text=True)
    assert count_rows(EventKind) == 1
    form = client.get(f"/processes/{process_with_phases.id}/events/new").get_data(as_text=True)
    assert 'value="cafe_rencontre"' in form and "Café-rencontre" in form


def test_the_public_process_page_shows_past_and_coming_events(client, process_with_phases, create_territory):
    territory = create_territory("Memphrémagog")
    past = datetime.now(UTC) - timedelta(days=3)
    make_event(process_with_phases, territory, starts_at=past, counts={"parents": 18, "employers": 3}, title="Passé")
    make_event(process_with_phases, None, starts_at=past + timedelta(days=30), kind="assembly", title="Assemblée")
    html = client.get(f"/p/{process_with_phases.slug}").get_data(as_text=True)
    assert "Événements à venir" in html and "Assemblée" in html and "Régional" in html
    assert "Événements passés" in html and "Passé" in html and "Memphrémagog" in html
    assert "21 personnes rencontrées" in html and "Parents 18" in html


def test_typed_ideas_enter_the_moderation_queue_with_the_event_as_source(
    client, auth, process_with_phases, create_territory
):
    auth.login(Role.FACILITATOR)
    territory = create_territory()
    event = make_event(process_with_phases, territory)
    page = f"/events/{event.id}"
    ideas = "Plus d’autobus le soir\n\n  Appelez-moi au 819-555-1234  \nUne halte-garderie pendant les ateliers\n"
    response = _post(
        client, page, f"/events/{event.id}/ideas", {"ideas": ideas, "audience": "parents", "group": "Table 2"}
    )
    assert response.status_code == 302
    items = db.session.scalars(sa.select(ModerationItem).order_by(ModerationItem.id)).all()
    assert [item.text for item in items] == [
        "Plus d’autobus le soir",
        "Appelez-moi au 819-555-1234",
        "Une halte-garderie pendant les ateliers",
    ]
    assert {(i.source, i.event_id, i.territory_id, i.respondent_group, i.event_group) for i in items} == {
        (ItemSource.EVENT, event.id, territory.id, "parents", "Table 2")
    }
    assert [item.flagged for item in items] == [False, True, False]  # personal information detected
    queue = client.get(f"/moderation/items?process={process_with_phases.id}&event={event.id}").get_data(as_text=True)
    assert "Idée notée lors d’un événement" in queue and "Plus d’autobus le soir" in queue
    assert "3 idées de cet événement sont dans la file de modération." in client.get(page).get_data(as_text=True)


def test_an_empty_typing_is_refused(client, auth, process_with_phases):
    auth.login(Role.FACILITATOR)
    event = make_event(process_with_phases)
    response = _post(client, f"/events/{event.id}", f"/events/{event.id}/ideas", {"ideas": " \n "})
    assert response.status_code == 400
    assert "Tapez au moins une idée." in response.get_data(as_text=True)
    assert count_rows(ModerationItem) == 0


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_ideas_imported_from_a_file(client, auth, process_with_phases, create_territory, fmt):
    auth.login(Role.FACILITATOR)
    local = create_territory("Coaticook", code="COA")
    other = create_territory("Le Granit", code="GRA")
    event = make_event(process_with_phases, local)
    rows = [
        ["Idée", "Table", "Audience", "Territoire"],
        ["Transport le soir", "1", "Parents", ""],
        ["Des ateliers en anglais", "2", "employers", "Le Granit"],
        ["", "", "", ""],
        ["Horaires flexibles", "", "", "gra"],
    ]
    if fmt == "csv":
        content = "\ufeff" + "\n".join(";".join(row) for row in rows)
        upload = (io.BytesIO(content.encode()), "idees.csv")
    else:
        upload = (io.BytesIO(_xlsx(rows)), "idees.xlsx")
    response = _post(
        client,
        f"/events/{event.id}",
        f"/events/{event.id}/ideas/import",
        {"file": upload},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    items = db.session.scalars(sa.select(ModerationItem).order_by(ModerationItem.id)).all()
    assert [(i.text, i.event_group, i.respondent_group, i.territory_id) for i in items] == [
        ("Transport le soir", "1", "parents", local.id),
        ("Des ateliers en anglais", "2", "employers", other.id),
        ("Horaires flexibles", None, None, other.id),
    ]


def test_an_import_with_a_bad_row_names_it_and_creates_nothing(client, auth, process_with_phases, create_territory):
    auth.login(Role.FACILITATOR)
    event = make_event(process_with_phases, create_territory())
    content = "idea,audience,territory\nBonne idée,parents,\nAutre idée,martiens,\n,parents,\n"
    response = _post(
        client,
        f"/events/{event.id}",
        f"/events/{event.id}/ideas/import",
        {"file": (io.BytesIO(content.encode()), "idees.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ligne 3, colonne « audience » : groupe inconnu." in html
    assert "Ligne 4, colonne « idea » : l’idée est vide." in html
    assert count_rows(ModerationItem) == 0


def test_from_workshop_notes_to_an_orientation_whose_evidence_names_the_workshop(
    client, auth, process_with_phases, create_territory
):
    auth.login(Role.FACILITATOR)
    event = make_event(process_with_phases, create_territory(), title="Atelier de Magog")
    _post(client, f"/events/{event.id}", f"/events/{event.id}/ideas", {"ideas": "Un service de navette familiale"})
    item = db.session.scalar(sa.select(ModerationItem))
    html = client.get(f"/moderation/items/{item.id}").get_data(as_text=True)
    assert "Atelier de Magog" in html
    client.post(
        f"/moderation/items/{item.id}/decide",
        data={"csrf_token": csrf_token_from(html), "action": "approve", "version": item.version},
    )
    db.session.refresh(item)
    assert item.state is ItemState.APPROVED
    new = _post(
        client,
        "/moderation/items",
        "/moderation/items/bulk",
        {"action": "orientation", "item": [str(item.id)], "next": "/moderation/items"},
    )
    form_url = new.headers["Location"]
    _post(client, form_url, form_url, {"title_fr": "Navette familiale"})
    orientation = db.session.scalar(sa.select(Orientation))
    assert [i.id for i, _ in orient.evidence(orientation.id)] == [item.id]
    page = client.get(f"/moderation/orientations/{orientation.id}").get_data(as_text=True)
    assert "Atelier de Magog" in page


def test_an_event_with_ideas_cannot_be_deleted(client, auth, process_with_phases):
    auth.login(Role.FACILITATOR)
    event = make_event(process_with_phases)
    _post(client, f"/events/{event.id}", f"/events/{event.id}/ideas", {"ideas": "Une idée"})
    response = _post(client, f"/events/{event.id}", f"/events/{event.id}/delete", {}, follow_redirects=True)
    assert "ne peut pas être supprimé" in response.get_data(as_text=True) or "reste" in response.get_data(as_text=True)
    assert count_rows(Event) == 1


def test_a_paper_questionnaire_and_invitation_links_are_tied_to_an_event(client, auth, create_survey):
    import re

    from app.models import Invitation, Response

    auth.login(Role.FACILITATOR)
    survey = create_survey([{"questions": [{"code": "q", "type": "short_text"}]}])
    event = make_event(survey.process, title="Atelier de Granby")
    make_event(create_survey().process, title="Ailleurs")  # another process's event is not offered
    home = client.get(f"/surveys/{survey.id}/paper").get_data(as_text=True)
    assert "Atelier de Granby" in home and "Ailleurs" not in home
    client.post(
        f"/surveys/{survey.id}/paper",
        data={
            "csrf_token": csrf_token_from(home),
            "start_key": re.search(r'name="start_key" type="hidden" value="([^"]+)"', home).group(1),
            "locale": "fr_CA",
            "event_id": str(event.id),
        },
    )
    assert db.session.scalar(sa.select(Response.event_id)) == event.id
    page = f"/surveys/{survey.id}/distribute"
    assert "Atelier de Granby" in client.get(page).get_data(as_text=True)
    _post(
        client, page, f"/surveys/{survey.id}/invitations", {"count": "3", "output": "page", "event_id": str(event.id)}
    )
    assert db.session.scalars(sa.select(Invitation.event_id)).all() == [event.id] * 3


def test_people_met_by_territory_and_audience_on_the_dashboard_and_in_the_report(
    client, auth, create_process, create_territory, create_survey, create_organization, create_user
):
    from app.events.figures import people_met
    from app.models import Contribution, OrientationEvidence, OrientationState, Response, ResponseStatus, Sector

    granby = create_territory("Granby", code="GRA")
    magog = create_territory("Magog", code="MAG")
    process = create_process(territories=[granby, magog])
    now = datetime.now(UTC)
    workshop = make_event(
        process, granby, starts_at=now - timedelta(days=9), counts={"parents": 20, "youth": 3}, title="Atelier"
    )
    make_event(process, None, starts_at=now - timedelta(days=2), counts={"others": 12}, kind="virtual_meeting")
    make_event(process, magog, starts_at=now + timedelta(days=9), counts={"partners_school": 80}, kind="assembly")
    survey = create_survey(process=process)
    for territory in ("GRA", "GRA", "MAG"):
        db.session.add(
            Response(
                survey=survey, survey_version=1, status=ResponseStatus.COMPLETE, attributes={"territory": territory}
            )
        )
    school = create_organization(sector=Sector.SCHOOL, territory=magog)
    partner = create_user(Role.PARTNER, organization=school)
    db.session.add(
        Contribution(process_id=process.id, author_id=partner.id, organization_id=school.id, title="T", description="D")
    )
    db.session.commit()

    figures = people_met(process.id, now)
    assert (figures.events, figures.people_met, figures.respondents, figures.partners_active) == (2, 35, 3, 1)
    rows = {
        row.key: (row.name, row.events, row.people_met, row.respondents, row.partners_active)
        for row in figures.by_territory
    }
    assert rows == {
        str(granby.id): ("Granby", 1, 23, 2, 0),
        str(magog.id): ("Magog", 0, 0, 1, 1),  # the assembly has not happened yet
        "regional": (None, 1, 12, None, None),
    }
    audiences = {row.key: (row.events, row.people_met, row.partners_active) for row in figures.by_audience}
    assert audiences == {
        "parents": (1, 20, None),
        "youth": (1, 3, None),
        "others": (1, 12, None),
        "partners_school": (0, 0, 1),
    }

    auth.login(Role.FACILITATOR)
    dashboard = client.get(f"/processes/{process.id}/participation").get_data(as_text=True)
    assert "Personnes rencontrées lors des événements" in dashboard and "comptée deux fois" in dashboard
    assert "Personnes rencontrées par territoire" in dashboard

    # The report: the ideas of each event, and how many are evidence of an adopted orientation.
    _post(client, f"/events/{workshop.id}", f"/events/{workshop.id}/ideas", {"ideas": "Idée un\nIdée deux"})
    first = db.session.scalars(sa.select(ModerationItem).order_by(ModerationItem.id)).first()
    orientation = Orientation(process_id=process.id, title_fr="Adoptée", state=OrientationState.ADOPTED)
    db.session.add(orientation)
    db.session.flush()
    db.session.add(OrientationEvidence(orientation_id=orientation.id, item_id=first.id))
    db.session.commit()
    from app.events.figures import ideas_by_event

    rows = [(e.event.title_fr, e.ideas, e.adopted_evidence) for e in ideas_by_event(process.id)]
    assert rows[0] == ("Atelier", 2, 1)
    report = client.get(f"/processes/{process.id}/report").get_data(as_text=True)
    assert 'id="events-title"' in report and "Événements, leur participation et les idées recueillies" in report


def test_the_demo_seeds_a_year_of_events_once(client):
    from app.devdata.demo import PROCESS_SLUG, seed_demo
    from app.events.figures import people_met
    from app.models import Process

    seed_demo(date.today())
    db.session.commit()
    seed_demo(date.today())
    db.session.commit()
    process = db.session.scalar(sa.select(Process).filter_by(slug=PROCESS_SLUG))
    kinds = db.session.execute(
        sa.select(Event.kind, sa.func.count()).where(Event.process_id == process.id).group_by(Event.kind)
    ).all()
    assert dict(kinds) == {"workshop": 12, "public_meeting": 2, "focus_group": 1, "virtual_meeting": 5, "assembly": 1}
    figures = people_met(process.id)
    assert (figures.events, figures.people_met) == (20, 567)
    audiences = {row.key: row.people_met for row in figures.by_audience}
    assert audiences["parents"] == 230
    workshop_territories = db.session.scalars(
        sa.select(sa.func.count(sa.distinct(Event.territory_id))).where(Event.kind == "workshop")
    ).one()
    assert workshop_territories == 9
    assert count_rows(ModerationItem) > 3  # the demo's answers and three ideas of the first workshop
    html = client.get(f"/p/{PROCESS_SLUG}").get_data(as_text=True)
    assert "567 personnes rencontrées" in html and "Atelier des parents — Sherbrooke" in html


def test_the_timeline_and_the_report_read_events_in_a_constant_number_of_queries(
    client, auth, create_process, create_territory, count_queries
):
    process = create_process()
    territory = create_territory()
    past = datetime.now(UTC) - timedelta(days=1)
    auth.login(Role.FACILITATOR)

    def counts() -> tuple[int, int]:
        with count_queries() as page:
            client.get(f"/p/{process.slug}")
        with count_queries() as report:
            client.get(f"/processes/{process.id}/report")
        return page.count, report.count

    make_event(process, territory, starts_at=past)
    few = counts()
    for n in range(6):
        make_event(process, territory if n % 2 else None, starts_at=past - timedelta(days=n), counts={"youth": n})
    assert counts() == few
