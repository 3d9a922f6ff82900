"""The printable consultation report of a process: the demo process, and a process with results, themes,
orientations and a published vote."""

import re
from html import unescape

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.devdata.demo import DEMO_THEMES, PROCESS_SLUG, seed_demo
from app.models import (
    BallotStatus,
    Cast,
    CastSource,
    ItemState,
    OrientationState,
    Process,
    Role,
    Survey,
    Theme,
    item_themes,
)
from app.web.i18n import local_today
from tests.integration.moderation_helpers import make_item, make_orientation
from tests.integration.voting_helpers import make_ballot
from tests.support.results_data import build_results_survey


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def facilitator(auth, create_user):
    return auth.login(create_user(Role.FACILITATOR, locale="en"))


def test_report_of_the_demo_process(client, facilitator):
    seed_demo(local_today())
    db.session.commit()
    process = db.session.scalars(sa.select(Process).filter_by(slug=PROCESS_SLUG)).one()
    titles = db.session.scalars(sa.select(Survey.title_en).filter_by(process_id=process.id).order_by(Survey.id)).all()
    response = client.get(f"/processes/{process.id}/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    assert "Consultation report Concerted Strategic Planning 2024-2028" in text
    assert "Consult parents, employers and partners across the region" in text
    assert "Contents" in text and 'href="#themes"' in html and 'href="#votes"' in html
    for title in titles:
        assert f"{title} Based on 0 complete responses. No complete response yet." in text
    # The demo's free texts are still pending; the themes count the approved evidence of the two priorities adopted
    # at the assembly's published vote (app/followup/demo.py); the demo ballot itself is a draft.
    assert f"{DEMO_THEMES[0][1]} 0" in text and f"{DEMO_THEMES[1][1]} 3" in text and "Early reading 4" in text
    assert "Adopted priorities" in text and "25 ballots counted." in text
    assert "Regional priorities 2024-2028" not in text
    assert 'href="/static/css/report.css' in html
    assert 'id="participation"' in html


def test_report_with_results_themes_orientations_and_a_vote(client, facilitator, create_survey, create_territory):
    data = build_results_survey(create_survey, create_territory)
    process = data.survey.process
    approved = make_item(process, "Plus de places.", state=ItemState.APPROVED, territory=data.territories["A"])
    other = make_item(process, "Des haltes-garderies.", state=ItemState.APPROVED, territory=data.territories["B"])
    pending = make_item(process, "En attente.")
    theme = Theme(process_id=process.id, name_fr="Petite enfance", name_en="Early childhood")
    db.session.add(theme)
    db.session.flush()
    db.session.execute(
        sa.insert(item_themes), [{"item_id": i.id, "theme_id": theme.id} for i in (approved, other, pending)]
    )
    make_orientation(process, [approved, other, pending], state=OrientationState.READY_FOR_VOTE)
    make_orientation(process, [approved], state=OrientationState.DRAFT, title="Brouillon secret")
    ballot = make_ballot(process, status=BallotStatus.PUBLISHED, options=["Littératie", "Transition", "Emploi"])
    first, second, third = ballot.options
    for number, order in enumerate([(first, second, third), (first, third, second), (second, first, third)]):
        contents = {option.key: rank for rank, option in enumerate(order, start=1)}
        db.session.add(
            Cast(ballot_id=ballot.id, contents=contents, receipt=f"PAPER-{number:04d}", source=CastSource.PAPER)
        )
    first.adopted = True
    # Adopting an option put to the vote from an orientation adopts the orientation: the report links the two.
    adopted = make_orientation(process, [approved], state=OrientationState.ADOPTED, title="Littératie familiale")
    first.orientation_id = adopted.id
    make_ballot(process, status=BallotStatus.OPEN, question="Vote en cours")
    db.session.commit()

    response = client.get(f"/processes/{process.id}/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    # Closed questions with charts and tables; no text question (they are in the themes).
    assert "Family needs Based on 12 complete responses." in text
    assert "0-2 5 41.7% 3-5 3 25%" in text
    assert "Yes 8 66.7% No 4 33.3%" in text
    assert len(re.findall(r'<svg[^>]*role="img"', html)) == 10
    assert "6 text answers." not in text and "Read the approved texts" not in html
    assert "grand-parent" not in text  # raw "other" texts stay out of the published report
    # Themes count approved texts only.
    assert "Early childhood 2" in text
    # Published orientations only, with their evidence.
    assert "Access to childcare Ready for the vote Augmenter l’accès." in text
    assert "Based on 2 texts from the consultation, from 2 territories." in text
    assert "Brouillon secret" not in text
    # The published ballot with its ranking and the adopted priority; the open one without results.
    assert "Adopted priorities Littératie (EN) — the orientation it comes from and its evidence" in text
    assert f'<a href="#orientation-{adopted.id}">' in html and f'id="orientation-{adopted.id}"' in html
    assert "3 ballots counted." in text
    assert "1 Littératie (EN) Adopted" in text
    assert "Which priorities should we keep?" in text
    assert "The results of this vote are not published yet." in text


def test_report_access(client, auth, create_process):
    process = create_process()
    assert client.get(f"/processes/{process.id}/report").status_code == 302
    auth.login("partner")
    assert client.get(f"/processes/{process.id}/report").status_code == 403
    auth.logout()
    auth.login("facilitator")
    assert client.get("/processes/999999/report").status_code == 404
    page = client.get(f"/p/{process.slug}").get_data(as_text=True)
    assert f"/processes/{process.id}/report" in page
