"""Every registered question type through the same contract (tests/support/question_contract.py): its field accepts
a valid answer and refuses an invalid one, store → read back, export cells and JSON, codebook rows, the JSON
definition round trip, the operand a condition sees."""

from datetime import date
from decimal import Decimal

import pytest

from app.models import Anonymity
from app.questions import registered_types
from tests.support.question_contract import CHECKS, Sample


def q(code, qtype, **fields):
    return {"code": code, "type": qtype, "label": {"fr": f"Question {code}", "en": f"Question {code} (en)"}, **fields}


def choices(*codes):
    return [{"code": c, "label": {"fr": f"Choix {c}", "en": f"Choice {c}"}} for c in codes]


SAMPLES = {
    "short_text": Sample(
        question=q("metier", "short_text", settings={"max_length": 12}),
        valid={"q_metier": "  Enseignante \r\n"},
        value="Enseignante",
        invalid={"q_metier": "Technicienne en administration"},
        error="too long",
        rows=[{"text_value": "Enseignante"}],
        cells={"metier": "Enseignante"},
        json={"metier": "Enseignante"},
        codebook=[],
        operand="Enseignante",
        condition="${metier} = 'Enseignante'",
    ),
    "long_text": Sample(
        question=q("avis", "long_text", settings={"min_length": 5, "open": True}),
        valid={"q_avis": "Plus de places\r\nen garderie."},
        value="Plus de places\nen garderie.",
        invalid={"q_avis": "Non"},
        error="too short",
        rows=[{"text_value": "Plus de places\nen garderie."}],
        cells={"avis": "Plus de places\nen garderie."},
        json={"avis": "Plus de places\nen garderie."},
        codebook=[],
        operand="Plus de places\nen garderie.",
        condition="${avis} != ''",
    ),
    "single_choice": Sample(
        question=q("garde", "single_choice", choices=choices("cpe", "famille"), settings={"other": True}),
        valid={"q_garde": "other", "q_garde:other": "Voisine"},
        value="other",
        extra={"garde:other": "Voisine"},
        invalid={"q_garde": ["cpe", "famille"]},
        error="Choose one of the options shown.",
        rows=[{"is_other": True, "text_value": "Voisine"}],
        cells={"garde": "other", "garde/other": "Voisine"},
        json={"garde": "other", "garde/other": "Voisine"},
        codebook=[("option", "cpe"), ("option", "famille"), ("other", "other")],
        operand="other",
        condition="${garde} = 'other' and not(selected(${garde}, 'cpe'))",
    ),
    "multiple_choice": Sample(
        question=q("aides", "multiple_choice", choices=choices("x", "y", "z"), settings={"max_selections": 2}),
        valid={"q_aides": ["z", "x"]},
        value=["x", "z"],
        invalid={"q_aides": ["x", "y", "z"]},
        error="Choose at most 2 answers.",
        rows=[{"choice_id": 1}, {"choice_id": 3}],
        cells={"aides/x": 1, "aides/y": 0, "aides/z": 1},
        json={"aides": ["x", "z"]},
        codebook=[("option", "x"), ("option", "y"), ("option", "z")],
        operand=["x", "z"],
        condition="selected(${aides}, 'z') and count-selected(${aides}) = 2",
    ),
    "yes_no": Sample(
        question=q("enfants", "yes_no"),
        valid={"q_enfants": "yes"},
        value="yes",
        invalid={"q_enfants": "peut-etre"},
        error="Choose one of the options shown.",
        rows=[{"number_value": Decimal(1)}],
        cells={"enfants": 1},
        json={"enfants": 1},
        codebook=[("option", "1"), ("option", "0")],
        operand="yes",
        condition="${enfants} = 'yes'",
    ),
    "rating": Sample(
        question=q("satisfaction", "rating", settings={"scale": 4, "low_label_fr": "Pas du tout"}),
        valid={"q_satisfaction": "3"},
        value=3,
        invalid={"q_satisfaction": "5"},
        error="Choose one of the options shown.",
        rows=[{"number_value": Decimal(3)}],
        cells={"satisfaction": Decimal(3)},
        json={"satisfaction": 3},
        codebook=[],
        operand=3,
        condition="${satisfaction} >= 3",
    ),
    "numeric": Sample(
        question=q("taille", "numeric", settings={"decimal": True, "min": 0, "max": 250}),
        valid={"q_taille": "172,5"},
        value=Decimal("172.5"),
        invalid={"q_taille": "300"},
        error="Enter a number from 0 to 250.",
        rows=[{"number_value": Decimal("172.5")}],
        cells={"taille": Decimal("172.5")},
        json={"taille": 172.5},
        codebook=[],
        operand=172.5,
        condition="${taille} > 100",
    ),
    "date": Sample(
        question=q("arrivee", "date", settings={"min": "2020-01-01"}),
        valid={"q_arrivee": "31/03/2025"},
        value=date(2025, 3, 31),
        invalid={"q_arrivee": "2019-12-31"},
        error="Enter a date on or after",
        rows=[{"date_value": date(2025, 3, 31)}],
        cells={"arrivee": date(2025, 3, 31)},
        json={"arrivee": "2025-03-31"},
        codebook=[],
        operand="2025-03-31",
        condition="${arrivee} = '2025-03-31'",
    ),
    "ranking": Sample(
        question=q("priorites", "ranking", choices=choices("a", "b", "c")),
        valid={"q_priorites:a": "2", "q_priorites:b": "3", "q_priorites:c": "1"},
        value=["c", "a", "b"],
        invalid={"q_priorites:a": "1", "q_priorites:b": "1"},
        error="Give each option a different rank.",
        rows=[{"choice_id": 3, "rank": 1}, {"choice_id": 1, "rank": 2}, {"choice_id": 2, "rank": 3}],
        cells={"priorites/1": "c", "priorites/2": "a", "priorites/3": "b"},
        json={"priorites": ["c", "a", "b"]},
        codebook=[("option", "a"), ("option", "b"), ("option", "c")],
        operand=["c", "a", "b"],
        condition="selected(${priorites}, 'c')",
    ),
    "matrix": Sample(
        question=q(
            "services",
            "matrix",
            choices=choices("bien", "mal"),
            rows=[{"code": "cpe", "label": {"fr": "CPE"}}, {"code": "ecole", "label": {"fr": "École"}}],
        ),
        valid={"q_services:cpe": "mal", "q_services:ecole": "bien"},
        value={"cpe": "mal", "ecole": "bien"},
        invalid={"q_services:cpe": "moyen"},
        error="Choose one of the options shown.",
        rows=[{"row_id": 3, "choice_id": 2}, {"row_id": 4, "choice_id": 1}],
        cells={"services/cpe": "mal", "services/ecole": "bien"},
        json={"services": {"cpe": "mal", "ecole": "bien"}},
        codebook=[("option", "bien"), ("option", "mal"), ("row", "cpe"), ("row", "ecole")],
        operand=None,  # a condition sees a matrix as unanswered
        condition="${services} = ''",
    ),
    "territory": Sample(
        question=q("territoire", "territory", settings={"display": "dropdown"}),
        valid={"q_territoire": "COA"},
        value="COA",
        invalid={"q_territoire": "MTL"},
        error="Choose one of the options shown.",
        rows=[{"territory_id": 102}],
        cells={"territoire": "COA"},
        json={"territoire": "COA"},
        codebook=[("territory", "SHE"), ("territory", "COA")],
        operand="COA",
        condition="${territoire} = 'COA'",
    ),
    "email": Sample(
        question=q("courriel", "email"),
        anonymity=Anonymity.IDENTIFIED,
        valid={"q_courriel": " parent@Exemple.CA "},
        value="parent@exemple.ca",
        invalid={"q_courriel": "parent@"},
        error="Enter a valid e-mail address",
        rows=[],  # kept apart from the answers (RespondentContact): tests/integration/test_respondent_privacy.py
        cells={},
        json={},
        codebook=[],
        operand=None,  # a condition sees no e-mail…
        condition="${courriel} = ''",
    ),
    "time": Sample(
        question=q("heure", "time"),
        valid={"q_heure": " 9h05 "},
        value="09:05",
        invalid={"q_heure": "25:00"},
        error="Enter a time of day",
        rows=[{"text_value": "09:05"}],
        cells={"heure": "09:05"},
        json={"heure": "09:05"},
        codebook=[],
        operand="09:05",
        condition="${heure} < '12:00'",
    ),
    "date_time": Sample(
        question=q("moment", "date_time"),
        valid={"q_moment": "2025-03-14T14:30"},
        value="2025-03-14T14:30",
        invalid={"q_moment": "2025-02-30 10:00"},
        error="Enter a date and a time",
        rows=[{"text_value": "2025-03-14T14:30"}],
        cells={"moment": "2025-03-14T14:30"},
        json={"moment": "2025-03-14T14:30"},
        codebook=[],
        operand="2025-03-14T14:30",
        condition="${moment} > '2025-03-14' and decimal-date-time(${moment}) > 20000",
    ),
    "geopoint": Sample(
        question=q("lieu", "geopoint"),
        valid={"q_lieu": "46,8139 ; -71.2080 12 5"},
        value="46.8139 -71.208",
        invalid={"q_lieu": "91 10"},
        error="Enter a latitude",
        rows=[{"text_value": "46.8139 -71.208"}],
        cells={"lieu": "46.8139 -71.208"},
        json={"lieu": "46.8139 -71.208"},
        codebook=[],
        operand="46.8139 -71.208",
        condition="substring-before(${lieu}, ' ') > 45",
    ),
    "acknowledge": Sample(
        question=q("lu", "acknowledge", required=True),
        valid={"q_lu": "OK"},
        value="OK",
        invalid={"q_lu": "oui"},
        error="Tick the box",
        rows=[{"text_value": "OK"}],
        cells={"lu": "OK"},
        json={"lu": "OK"},
        codebook=[],
        operand="OK",
        condition="${lu} = 'OK' and selected(${lu}, 'OK')",
    ),
    "calculate": Sample(
        question=q("score", "calculate", settings={"calculation": "concat('A', 2 * 3)"}),
        valid={},
        value="A6",
        invalid=None,
        error="",
        rows=[{"text_value": "A6"}],
        cells={"score": "A6"},
        json={"score": "A6"},
        codebook=[],
        operand="A6",
        condition="${score} = 'A6'",
    ),
    "note": Sample(
        question=q("info", "note"),
        valid={},
        value=None,
        invalid=None,
        error="",
        rows=[],
        cells={},
        json={},
        codebook=[],
        operand=None,
        condition="${info} = ''",
    ),
}


def test_every_registered_type_has_a_sample():
    assert {str(t.key) for t in registered_types()} == set(SAMPLES)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("key", [str(t.key) for t in registered_types()])
def test_each_type_keeps_the_contract(key, check):
    check(SAMPLES[key])
