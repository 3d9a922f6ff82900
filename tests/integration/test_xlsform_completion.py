"""XLSForms imported through the import page and answered to the end over HTTP by a test respondent (issue 14).

Two sets of forms: the small forms written for Concerto's tests (tests/data/xlsform_fixtures, always run), and the
corpus of real-world forms listed in tests/data/xlsforms/SOURCES.md, which is not committed: it is read from
CONCERTO_XLSFORM_CORPUS (default ``../shared/xlsforms`` next to the repository) and the test is skipped, with the
reason tests/allowed_skips.py lists, when that folder is absent. For each form: the facilitator uploads it on
/surveys/import, opens the survey, and a respondent (tests/support/xlsform_respondent.py) answers every page of
/s/<slug> validly until the thanks page; the response must then be complete in the database.
"""

from __future__ import annotations

import io
import os
import re
import time
import warnings
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.builder.operations import change_status
from app.core.extensions import db
from app.models import Response, ResponseStatus, Role, Survey, SurveyStatus
from app.models.base import utcnow
from tests.support.xlsform_respondent import FormFiller

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "xlsform_fixtures"
CORPUS = Path(os.environ.get("CONCERTO_XLSFORM_CORPUS") or ROOT.parent / "shared" / "xlsforms")
CORPUS_ABSENT = "the real-world XLSForm corpus is not on this machine"
#: The corpus forms that import and are completed today (STATUS.md): a form leaving this list is a regression.
COMPLETED = {
    "cleaningtools_form.xlsx",
    "fmtm_building_natural_risks_survey.xlsx",
    "fmtm_simple_building_survey_wildfires.xlsx",
    "fmtm_slum_assessment_survey.xlsx",
    "hotosm_waste_collection.xlsx",
    "humind_REACH_2024_MSNA-kobo-tool_draft_v11.xlsx",
    "iaso_default_Health_facility_form.xlsx",
    "iaso_default_forms_for_other_level_than_health_facility.xlsx",
    "iaso_denombrement_enumeration.xlsx",
    "iaso_form_1.xlsx",
    "iaso_form_2.xlsx",
    "iaso_hydro.xlsx",
    "iaso_registry-population_commune.xlsx",
    "odkdocs_recensement_etablissements_scolaires_24.xlsx",
    "onadata_Enumerator_Training_Practice_Survey.xlsx",
    "onadata_childrens_survey.xlsx",
    "onadata_external_choice_form_v1.xlsx",
    "onadata_good_eats_multilang.xlsx",
    "onadata_multi_lingual_form.xlsx",
    "onadata_new_cascading_select.xlsx",
    "onadata_subdistrict_profiling_tool.xlsx",
    "onadata_tutorial.xlsx",
    "pyxform_UCL_Biomass_Plot_Form.xlsx",
    "sinp_ODKWaypoints.xlsx",
    "sinp_atlas_papillons_altitude_formulaire_benevole.xlsx",
    "sinp_fiche_terrain_suivi_castor_loutre_ragondin.xlsx",
    "sinp_formulaire_pram_simplifie.xlsx",
    "sinp_inventaire_herbiers_etangs.xlsx",
    "sinp_rozo.xlsx",
    "sinp_saisie_km_voitures_service_v2022.xlsx",
    "sinp_suivi_maille_bota.xlsx",
}
SURVEY_PATH = re.compile(r"/surveys/(\d+)$")
#: The 40 real-world forms (their file names, from the table of SOURCES.md); other files of the folder (the .xls
#: examples) are completed too but not counted.
SOURCES = set(re.findall(r"^\| ([\w.\-]+\.xlsx) \|", (ROOT / "tests/data/xlsforms/SOURCES.md").read_text(), re.M))


def _import_and_complete(app, client, csrf, process, path: Path) -> tuple[bool, str]:
    """(completed, why not) for one workbook."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on styles and document properties of real workbooks
        response = client.post(
            "/surveys/import",
            data={
                "process_id": process.id,
                "file": (io.BytesIO(path.read_bytes()), path.name),
                "csrf_token": csrf("/surveys/import"),
            },
            content_type="multipart/form-data",
        )
    found = SURVEY_PATH.search(response.headers.get("Location", ""))
    if response.status_code != 302 or not found:
        problems = re.findall(r"<li>([^<]*)</li>", response.get_data(as_text=True))
        return False, "refused: " + "; ".join(problems[:3])
    survey = db.session.get(Survey, int(found.group(1)))
    change_status(None, survey, SurveyStatus.OPEN, utcnow())
    db.session.commit()
    respondent = FormFiller(app.test_client())
    completed = respondent.complete(f"/s/{survey.slug}")
    statuses = db.session.scalars(sa.select(Response.status).where(Response.survey_id == survey.id)).all()
    if completed and statuses != [ResponseStatus.COMPLETE]:
        return False, f"thanks page shown but the response is {statuses}"
    return completed, "" if completed else f"stuck after {respondent.pages} pages ({', '.join(respondent.stuck)})"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.xls*")), ids=lambda p: p.name)
def test_fixture_forms_import_and_are_completed(app, client, auth, csrf, create_process, path):
    auth.login(Role.FACILITATOR)
    completed, why = _import_and_complete(app, client, csrf, create_process(), path)
    assert completed, why


def test_corpus_forms_import_and_are_completed(app, client, auth, csrf, create_process):
    forms = sorted(CORPUS.glob("*.xls*")) if CORPUS.is_dir() else []
    if not forms:
        pytest.skip(f"{CORPUS_ABSENT} ({CORPUS}; CONCERTO_XLSFORM_CORPUS, tests/data/xlsforms/SOURCES.md)")
    auth.login(Role.FACILITATOR)
    process = create_process()
    outcomes, seconds = {}, {}
    for path in forms:
        started = time.perf_counter()
        outcomes[path.name] = _import_and_complete(app, client, csrf, process, path)
        seconds[path.name] = time.perf_counter() - started
    done = {name for name, (completed, _why) in outcomes.items() if completed and name in SOURCES}
    report = "\n".join(
        f"{name}: {'completed' if ok else why} ({seconds[name]:.1f} s)" for name, (ok, why) in sorted(outcomes.items())
    )
    print(f"\n{len(done)} of the {len(SOURCES)} forms of SOURCES.md imported and completed\n{report}")
    assert done >= COMPLETED, report
    assert len(done) >= len(COMPLETED), report
    legacy = [name for name in outcomes if name.endswith(".xls")]  # the .xls examples beside the corpus
    assert all(outcomes[name][0] for name in legacy), report
