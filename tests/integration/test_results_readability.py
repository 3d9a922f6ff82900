"""Issue 15: results a facilitator can read: matrix charts name their row, ranking labels are never clipped, small
cross-tabulation cells are shown with a warning (to facilitators only), evidence without groups reads as French."""

import re
from html import unescape

import pytest

from app.core.extensions import db
from app.models import ItemState, OrientationState, Role
from tests.integration.moderation_helpers import make_item, make_orientation
from tests.support.results_data import build_results_survey

LONG_LABEL = "Des ateliers de lecture en famille offerts le samedi matin à la bibliothèque municipale"


@pytest.fixture
def data(create_survey, create_territory):
    return build_results_survey(create_survey, create_territory)


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _results(client, data, query=""):
    response = client.get(f"/surveys/{data.survey.id}/results{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_matrix_chart_shows_the_name_of_its_row(client, auth, data):
    auth.login(Role.FACILITATOR)
    html = _results(client, data)
    grid = data.question("grid")
    figures = re.findall(r'<figure class="chart-figure">(.*?)</figure>', html, re.S)
    captions = [re.search(r"<figcaption>(.*?)</figcaption>", f, re.S) for f in figures if f"-q{grid.id}-r" in f]
    assert [" ".join(c.group(1).split()) for c in captions if c] == ["r1", "r2"]


def test_ranking_labels_are_never_clipped(client, auth, data):
    auth.login(Role.FACILITATOR)
    choice = data.question("rank").choices[0]
    choice.label_fr = choice.label_en = LONG_LABEL
    db.session.commit()
    html = _results(client, data)
    chart = next(svg for svg in re.findall(r"<svg.*?</svg>", html, re.S) if "premières places" in svg)
    labels = re.findall(r'<text[^>]*class="chart-label"[^>]*>(.*?)</text>', chart, re.S)
    words = " ".join(unescape(re.sub(r"<[^>]+>", " ", label)) for label in labels).split()
    assert " ".join(LONG_LABEL.split()) in " ".join(words)
    assert "…" not in chart


def test_facilitators_see_small_crosstab_cells_with_a_warning(client, auth, data):
    auth.login(Role.FACILITATOR)
    age, where = data.question("age"), data.question("where")
    text = _text(_results(client, data, f"?row={age.id}&column={where.id}"))
    # 3-5 was answered by three respondents (two in A, one in B): shown, marked, never a bare "*".
    assert "3-5 ⚠ (moins de 5 répondants : à lire avec prudence) 2 1 0 3" in text
    assert "0-2 2 3 0 5" in text  # five or more: no mark
    assert "* * *" not in text
    assert "⚠ : une ligne ou une colonne de moins de 5 répondants" in text


def test_evidence_without_groups_or_territories_reads_as_plain_french(client, auth, create_process):
    process = create_process()
    items = [make_item(process, f"Texte {n}", state=ItemState.APPROVED) for n in range(5)]
    orientation = make_orientation(process, items, state=OrientationState.IN_REVIEW)
    auth.login(Role.FACILITATOR)
    for url in (f"/moderation/orientations/{orientation.id}", f"/p/{process.slug}/vous-avez-dit"):
        text = _text(client.get(url).get_data(as_text=True))
        assert "Groupe inconnu" not in text and "Territoire inconnu" not in text, url
        assert "Groupes de répondants représentés 0" not in text, url
        assert "Groupes de répondants représentés non connus" in text, url
        assert "Le groupe des personnes n’est pas connu pour ces 5 éléments." in text, url
        assert "Le territoire n’est pas connu pour ces 5 éléments." in text, url
    mixed = make_item(process, "Autre", state=ItemState.APPROVED, group="parents")
    make_orientation(process, [*items, mixed], state=OrientationState.IN_REVIEW, title="Mixte")
    text = _text(client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True))
    assert "parents : 1" in text and "5 éléments sans groupe connu" in text
