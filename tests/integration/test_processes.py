from datetime import timedelta

from app.core.extensions import db
from app.models import PhaseKind, ProcessStatus, Role
from app.web.i18n import local_today


def _phases():
    today = local_today()
    return {
        PhaseKind.CONSULTATION: (today - timedelta(days=10), today - timedelta(days=1)),
        PhaseKind.SYNTHESIS: (today, today + timedelta(days=10)),
        PhaseKind.VALIDATION: (today + timedelta(days=11), today + timedelta(days=20)),
    }


def test_public_page_shows_the_timeline_with_the_current_phase(client, create_process, create_territory):
    process = create_process(phases=_phases(), territories=[create_territory(name="Memphrémagog")])
    page = client.get(f"/p/{process.slug}").get_data(as_text=True)
    assert process.title_fr in page and process.purpose_fr in page
    assert "Phase en cours : Synthèse" in page
    assert page.count('aria-current="step"') == 1
    current = page.index('aria-current="step"')
    assert page.index("Synthèse", current) < page.index("Validation (vote)")
    assert "Memphrémagog" in page


def test_public_page_in_english(client, csrf, create_process):
    process = create_process(phases=_phases())
    client.post("/language", data={"locale": "en", "next": f"/p/{process.slug}", "csrf_token": csrf("/")})
    page = client.get(f"/p/{process.slug}").get_data(as_text=True)
    assert process.title_en in page and "Current phase: Synthesis" in page and 'lang="en"' in page


def test_language_choice_is_remembered_and_saved_on_the_account(client, auth, csrf):
    user = auth.login(Role.PARTNER)
    response = client.post("/language", data={"locale": "en", "next": "/login", "csrf_token": csrf("/")})
    assert response.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.locale == "en"
    assert "Signed in as" in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client, csrf):
    client.post("/language", data={"locale": "de", "csrf_token": csrf("/")})
    assert 'lang="fr-CA"' in client.get("/").get_data(as_text=True)


def test_draft_process_is_hidden_from_the_public_and_partners(client, auth, create_process):
    process = create_process(ProcessStatus.DRAFT)
    assert client.get(f"/p/{process.slug}").status_code == 404
    assert process.title_fr not in client.get("/").get_data(as_text=True)
    auth.login(Role.PARTNER)
    assert client.get(f"/p/{process.slug}").status_code == 404


def test_draft_process_is_visible_to_facilitators(client, auth, create_process):
    process = create_process(ProcessStatus.DRAFT)
    auth.login(Role.FACILITATOR)
    page = client.get(f"/p/{process.slug}").get_data(as_text=True)
    assert "Brouillon" in page and process.title_fr in page


def test_signed_in_partners_reach_the_orientations_and_votes_from_the_process_page(client, auth, create_process):
    process = create_process(phases=_phases())
    page = client.get(f"/p/{process.slug}").get_data(as_text=True)
    assert f'href="/p/{process.slug}/vous-avez-dit"' in page
    assert f'href="/p/{process.slug}/orientations"' not in page  # these pages ask to sign in first
    assert f'href="/p/{process.slug}/votes"' not in page
    auth.login(Role.PARTNER)
    page = client.get(f"/p/{process.slug}").get_data(as_text=True)
    assert "Projets d’orientations stratégiques" in page and "Votes de cette démarche" in page
    for path in (f"/p/{process.slug}/orientations", f"/p/{process.slug}/votes", f"/p/{process.slug}/vous-avez-dit"):
        assert f'href="{path}"' in page
        assert client.get(path).status_code == 200
