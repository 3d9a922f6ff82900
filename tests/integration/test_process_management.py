"""Facilitators run processes (issue 15): they create and edit a process and its phases, a list they edit (name in
French and English, dates); admins keep users, organizations and territories."""

import re
from datetime import date

from app.core.extensions import db
from app.models import AuditLog, Phase, PhaseKind, Process, ProcessStatus, Role
from tests.conftest import count_rows


def _phase(index: int, name_fr="", name_en="", starts="", ends="", **extra) -> dict:
    row = {"name_fr": name_fr, "name_en": name_en, "starts_on": starts, "ends_on": ends, **extra}
    return {f"phases-{index}-{key}": value for key, value in row.items()}


def _data(*phases: dict, **overrides) -> dict:
    data = {
        "slug": "plan-2026",
        "title_fr": "Plan 2026",
        "title_en": "Plan 2026",
        "purpose_fr": "Mieux faire ensemble.",
        "purpose_en": "Do better together.",
    }
    for phase in phases:
        data.update(phase)
    data.update(overrides)
    return data


def _phases(process: Process) -> list[tuple]:
    db.session.expire_all()
    return [(p.position, p.name_fr, p.name_en, p.starts_on, p.ends_on) for p in process.phases]


def test_a_facilitator_creates_a_process_with_the_phases_it_needs(client, auth, csrf, create_territory):
    auth.login(Role.FACILITATOR)
    assert client.get("/manage/processes").status_code == 200
    url = "/manage/processes/new"
    data = _data(
        _phase(0, "Forum régional", "Regional forum", "2026-05-01", "2026-05-02"),
        _phase(1, "Consultation des parents", "Parents' consultation", "2026-01-10", "2026-03-31", kind="consultation"),
        _phase(2),  # the empty row offered for one more phase
    )
    response = client.post(url, data={**data, "csrf_token": csrf(url)})
    assert response.status_code == 302
    process = db.session.execute(db.select(Process).filter_by(slug="plan-2026")).scalar_one()
    assert _phases(process) == [  # in the order of their dates
        (1, "Consultation des parents", "Parents' consultation", date(2026, 1, 10), date(2026, 3, 31)),
        (2, "Forum régional", "Regional forum", date(2026, 5, 1), date(2026, 5, 2)),
    ]
    assert process.phase(PhaseKind.CONSULTATION).name_fr == "Consultation des parents"
    entry = db.session.execute(db.select(AuditLog).filter_by(action="process.save")).scalar_one()
    assert entry.actor.role is Role.FACILITATOR

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Forum régional" in page and "Consultation des parents" in page
    public = client.get("/p/plan-2026").get_data(as_text=True)
    assert "Forum régional" in public and "Consultation des parents" in public


def test_a_facilitator_renames_adds_and_removes_phases(client, auth, csrf, create_process):
    process = create_process(
        ProcessStatus.ACTIVE,
        phases={
            PhaseKind.CONSULTATION: (date(2026, 1, 1), date(2026, 2, 1)),
            PhaseKind.VALIDATION: (date(2026, 4, 1), date(2026, 4, 2)),
        },
    )
    auth.login(Role.FACILITATOR)
    edit = f"/manage/processes/{process.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="Consultation"' in form and 'value="Validation (vote)"' in form  # the phases moved in as a list
    data = _data(
        _phase(0, "Grande consultation", "Broad consultation", "2026-01-01", "2026-02-15", kind="consultation"),
        _phase(1, "Validation (vote)", "Validation (vote)", "2026-04-01", "2026-04-02", kind="validation", remove="y"),
        _phase(2, "Synthèse", "Synthesis", "2026-02-16", "2026-03-31", kind="synthesis"),
        slug=process.slug,
    )
    response = client.post(edit, data={**data, "csrf_token": csrf(edit)})
    assert response.status_code == 302
    assert _phases(process) == [
        (1, "Grande consultation", "Broad consultation", date(2026, 1, 1), date(2026, 2, 15)),
        (2, "Synthèse", "Synthesis", date(2026, 2, 16), date(2026, 3, 31)),
    ]
    assert process.phase(PhaseKind.VALIDATION) is None


def test_phase_errors_name_the_phase_and_the_field_in_words(client, auth, csrf):
    auth.login(Role.FACILITATOR)
    url = "/manage/processes/new"
    data = _data(
        _phase(0, "Consultation", "Consultation", "2026-02-10", "2026-01-01"),
        _phase(1, "", "Forum", "2026-05-01", "2026-05-02"),
        _phase(2, "Lancement", "Launch", "2026-06-01", ""),
    )
    response = client.post(url, data={**data, "csrf_token": csrf(url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Phase 1, date de fin : La date de fin ne doit pas précéder la date de début." in page
    assert "Phase 2, nom (français) : Donnez le nom de la phase en français." in page
    assert "Phase 3, date de fin : Donnez la date de fin de la phase." in page
    summary = page.split('<div class="error-summary"')[1].split("</div>")[0]
    assert "ends_on" not in re.sub(r"<[^>]+>", "", summary)  # the words a person reads, not the field's key
    assert 'value="Forum"' in page  # what was typed is shown again
    assert count_rows(Process) == 0 and count_rows(Phase) == 0


def test_facilitators_change_the_status_and_partners_cannot_manage(client, auth, csrf, create_process):
    process = create_process(ProcessStatus.DRAFT)
    auth.login(Role.PARTNER)
    assert client.get("/manage/processes/new").status_code == 403
    auth.logout()
    auth.login(Role.FACILITATOR)
    page = f"/manage/processes/{process.id}"
    response = client.post(f"{page}/status", data={"status": "active", "csrf_token": csrf(page)})
    assert response.status_code == 302
    db.session.refresh(process)
    assert process.status is ProcessStatus.ACTIVE
    assert client.get("/admin/users").status_code == 403  # users stay with the admins


def test_an_admin_still_manages_processes_with_territories_and_slug_rules(
    client, auth, csrf, create_process, create_territory
):
    # Moved from the admin pages (test_admin.py): admins are facilitators too.
    auth.login(Role.ADMIN)
    a, b = create_territory(name="Sherbrooke"), create_territory(name="Les Sources")
    create_process(slug="pris")
    url = "/manage/processes/new"
    phase = _phase(0, "Consultation", "Consultation", "2026-01-10", "2026-02-10")
    page = client.post(url, data={**_data(phase, slug="pris"), "csrf_token": csrf(url)}).get_data(as_text=True)
    assert "Une autre démarche utilise déjà cette adresse." in page
    page = client.post(url, data={**_data(phase, slug="Pas Bon!"), "csrf_token": csrf(url)}).get_data(as_text=True)
    assert "Lettres minuscules, chiffres et traits d’union seulement" in page
    assert count_rows(Process) == 1
    data = _data(phase, territory_ids=[str(a.id), str(b.id)])
    assert client.post(url, data={**data, "csrf_token": csrf(url)}).status_code == 302
    process = db.session.execute(db.select(Process).filter_by(slug="plan-2026")).scalar_one()
    assert sorted(t.name for t in process.territories) == ["Les Sources", "Sherbrooke"]
    assert process.status is ProcessStatus.DRAFT

    page = f"/manage/processes/{process.id}"
    illegal = client.post(
        f"{page}/status", data={"status": "archived", "csrf_token": csrf(page)}, follow_redirects=True
    )
    assert "Ce changement de statut n’est pas permis" in illegal.get_data(as_text=True)
    db.session.refresh(process)
    assert process.status is ProcessStatus.DRAFT
