"""Every ``flask --app wsgi`` command of the README, run once as an operator runs it (its own process, the
production configuration, the live server's database): its exit status and what it did.

``db upgrade`` and ``seed-demo`` set the session up (tests/live/conftest.py). Each process of the others spends
most of its time importing the app, so most of them run at the same time (``commands``); each test checks one
command."""

import csv
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.devdata.demo import PROCESS_SLUG
from tests.live.conftest import DEMO_SLUGS, PARENTS_SLUG, RESPONSES
from tests.live.harness import ROOT, Database, create_database, flask

NEW_USER = ("nouvelle.animatrice@example.org", "une phrase de passe assez longue")
IMPORTED_SLUG = "copie-employeurs"
COUNTED = ("responses", "answers", "ballot_casts", "territories")  # tables the other commands do not write


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    (head,) = ScriptDirectory.from_config(config).get_heads()
    return head


@dataclass
class Commands:
    results: dict  # name -> subprocess.CompletedProcess
    folder: Path
    fresh: Database
    before: dict[str, int]  # row counts of COUNTED tables when the commands started
    definition: dict  # the JSON definition given to import-form

    def ok(self, name: str):
        assert name in self.results, f"{name} did not run: a command it depends on failed"
        done = self.results[name]
        assert done.returncode == 0, f"{name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture(scope="module")
def commands(live, facilitator, demo_vote, tmp_path_factory):
    folder = tmp_path_factory.mktemp("commands")
    # import-form gets a questionnaire downloaded from the server (its JSON definition), under a new slug.
    document = facilitator.get(f"/surveys/{live.survey_id('employeurs-etudes-travail')}/definition.json").json()
    document["survey"]["slug"] = IMPORTED_SLUG
    document["survey"]["title"] = {"fr": "Copie pour les employeurs", "en": "Copy for employers"}
    (folder / "copie.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    # tally recounts the anonymous ballots downloaded from the server.
    downloaded = facilitator.get(f"/manage/ballots/{demo_vote.ballot_id}/export/ballots.csv")
    (folder / "ballots.csv").write_bytes(downloaded.content)

    fresh = create_database(folder, "restore")
    fresh_env = {**live.env, "DATABASE_URL": fresh.url}
    email, password = NEW_USER
    env = live.env
    # Each phase runs its chains of commands at the same time; a chain runs one command after the other. The
    # commands that only read the live database come first, those that write it after them (and one after the
    # other on SQLite, which lets one process write at a time, and none while another reads).
    definition, ballots, backup, out, form_xlsx, form_json = (
        str(folder / name) for name in ("copie.json", "ballots.csv", "backup.json", "out.csv", "form.xlsx", "form.json")
    )
    phases = [
        [
            [("backup", env, "backup", "--out", backup)],
            [("export-responses", env, "export-responses", PARENTS_SLUG, "--format", "csv", "--out", out)],
            [("purge-expired", env, "purge-expired", "--dry-run")],
            [
                ("tally", env, "tally", "--method", "schulze", "--input", ballots, "--json"),
                ("tally --details", env, "tally", "--method", "schulze", "--input", ballots, "--details"),
            ],
            [("db upgrade (fresh)", fresh_env, "db", "upgrade")],
            [("routes", env, "routes", "--sort", "rule")],
            [
                ("export-form xlsx", env, "export-form", PARENTS_SLUG, "--format", "xlsx", "--out", form_xlsx),
                ("export-form json", env, "export-form", PARENTS_SLUG, "--format", "json", "--out", form_json),
                ("export-form unknown", env, "export-form", "pas-de-questionnaire", "--format", "json", "--out", out),
            ],
        ],
        [
            [("restore", fresh_env, "restore", backup)],
            [
                ("create-user", env, "create-user", email, "--role", "facilitator", "--password", password),
                ("close-due-ballots", env, "close-due-ballots"),
            ],
            [("import-form", env, "import-form", definition, "--process", PROCESS_SLUG, "--open")],
        ],
    ]
    if not live.db.is_postgres:  # one writer at a time
        phases[1][1:] = [phases[1][1] + phases[1][2]]
    results: dict = {}

    def run_chain(chain) -> None:
        for name, run_env, *args in chain:
            if name == "restore" and any(results[step].returncode for step in ("backup", "db upgrade (fresh)")):
                return
            results[name] = flask(run_env, *args)
            if results[name].returncode != 0:
                return

    before = {table: live.db.count(table) for table in COUNTED}
    try:
        for chains in phases:
            with ThreadPoolExecutor(max_workers=len(chains)) as pool:
                list(pool.map(run_chain, chains))
        yield Commands(results, folder, fresh, before, document)
    finally:
        fresh.drop()


def test_db_upgrade_and_seed_demo(live):
    """The session was set up by ``db upgrade`` then ``seed-demo --responses N`` (tests/live/conftest.py)."""
    assert live.db.scalar("SELECT version_num FROM alembic_version") == head_revision()
    assert "Synthetic responses" in live.seed.stdout and "/s/besoins-parents-0-8" in live.seed.stdout
    assert "Demo logins (shown once)" in live.seed.stdout
    for slug in DEMO_SLUGS:
        assert live.db.count("responses", "survey_id = :s", s=live.survey_id(slug)) >= RESPONSES
    # The draft ballot of the demo, and the assembly's published vote of the follow-up demo (app/followup/demo.py).
    assert live.db.count("territories") == 9 and live.db.count("ballots") == 2


def test_create_user_then_sign_in_on_the_server(live, commands):
    email, password = NEW_USER
    assert email in commands.ok("create-user").stdout
    assert live.db.scalar("SELECT role FROM users WHERE email = :e", e=email) == "facilitator"
    browser = live.browser()
    try:
        signed_in = browser.sign_in(email, password)
        assert signed_in.status_code == 200 and browser.path != "/login"
    finally:
        browser.close()


def test_import_form_of_a_downloaded_definition(live, commands):
    """Imported, opened, and answered at the path the command printed."""
    path = commands.ok("import-form").stdout.strip().splitlines()[-1]
    assert path == f"/s/{IMPORTED_SLUG}"
    assert live.db.scalar("SELECT status FROM surveys WHERE slug = :s", s=IMPORTED_SLUG) == "open"
    questions = sum(len(page["questions"]) for page in commands.definition["pages"])
    assert live.db.count("questions", "survey_id = :s", s=live.survey_id(IMPORTED_SLUG)) == questions
    landing = live.browser()
    try:
        page = landing.get(path)
        assert page.status_code == 200 and "Copie pour les employeurs" in page.text
    finally:
        landing.close()


def test_export_responses(live, commands):
    commands.ok("export-responses")
    text = (commands.folder / "out.csv").read_text(encoding="utf-8-sig")
    _header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    expected = live.db.rows("SELECT id FROM responses WHERE survey_id = :s ORDER BY id", s=live.survey_id(PARENTS_SLUG))
    assert [int(row[0]) for row in rows] == [row.id for row in expected]


def test_tally_recounts_the_downloaded_ballots(live, commands, demo_vote):
    result = json.loads(commands.ok("tally").stdout)
    assert result["ballots"] == live.db.count("ballot_casts", "ballot_id = :b", b=demo_vote.ballot_id) == 2
    labels = [label for _id, label in demo_vote.options]
    assert result["ranking"][-1] == [labels[3]]  # nobody ranked the fourth option: last, alone


def test_tally_details_in_french_state_the_schulze_rule(commands):
    # Issue 15: French by default (the app's language), and the link-strength rule in words.
    out = commands.ok("tally --details").stdout
    assert out.splitlines()[0] == "Schulze : 2 bulletins"
    assert "Force d’un lien (Schulze) : les votes gagnants" in out


def test_backup_then_restore_into_a_fresh_database(commands):
    commands.ok("backup")
    document = json.loads((commands.folder / "backup.json").read_text(encoding="utf-8"))
    assert {table: len(document["tables"][table]) for table in COUNTED} == commands.before
    commands.ok("db upgrade (fresh)")
    assert commands.fresh.scalar("SELECT version_num FROM alembic_version") == head_revision()
    assert "Restored" in commands.ok("restore").stdout
    assert {table: commands.fresh.count(table) for table in document["tables"]} == {
        table: len(rows) for table, rows in document["tables"].items()
    }


def test_export_form_writes_an_xlsform_pyxform_converts_and_the_json_definition(live, commands):
    import warnings

    from pyxform.xls2xform import convert

    commands.ok("export-form xlsx")
    commands.ok("export-form json")
    survey_id = live.survey_id(PARENTS_SLUG)
    codes = [row.code for row in live.db.rows("SELECT code FROM questions WHERE survey_id = :s", s=survey_id)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xform = convert(xlsform=str(commands.folder / "form.xlsx"), validate=False).xform
    assert all(f"<{code}" in xform for code in codes)
    book = openpyxl.load_workbook(commands.folder / "form.xlsx", read_only=True)
    names = [
        row[1]
        for row in book["survey"].iter_rows(min_row=2, values_only=True)
        if row[0] not in {"begin group", "end group"}
    ]
    assert sorted(names) == sorted(codes)
    document = json.loads((commands.folder / "form.json").read_text(encoding="utf-8"))
    assert sorted(q["code"] for page in document["pages"] for q in page["questions"]) == sorted(codes)
    unknown = commands.results["export-form unknown"]
    assert unknown.returncode == 2 and "pas-de-questionnaire" in unknown.stderr


def test_close_due_ballots(live, commands, demo_vote):
    """The demo vote was closed by its facilitator: nothing is past its closing time and left open."""
    assert commands.ok("close-due-ballots").stdout.strip() == "Closed 0 ballot(s) past their closing time."
    assert live.db.scalar("SELECT status FROM ballots WHERE id = :b", b=demo_vote.ballot_id) in {"closed", "published"}


def test_purge_expired_dry_run_deletes_nothing(live, commands):
    assert "Dry run: nothing deleted." in commands.ok("purge-expired").stdout
    assert live.db.count("responses") == commands.before["responses"]


# Every route whose path names a file, and the test of tests/live/test_downloads.py that downloads it.
FILE_ROUTES = {
    "/surveys/<int:survey_id>/export.<fmt>": "test_csv_export_holds_every_response (and json, xlsx)",
    "/surveys/<int:survey_id>/codebook.csv": "test_codebook_lists_every_question_and_value",
    "/surveys/<int:survey_id>/definition.json": "test_survey_definition_download_lists_every_question",
    "/surveys/<int:survey_id>/definition.xlsx": "test_survey_xlsform_download_converts_with_pyxform",
    "/surveys/<int:survey_id>/qr.png": "test_qr_codes",
    "/surveys/<int:survey_id>/qr.svg": "test_qr_codes",
    "/manage/ballots/<int:ballot_id>/export/ballots.csv": "test_ballot_exports_hold_every_cast_and_option",
    "/manage/ballots/<int:ballot_id>/export/results.csv": "test_ballot_exports_hold_every_cast_and_option",
    "/followup/processes/<int:process_id>/matrix.xlsx": "test_matrix_of_commitments",
}


def test_every_file_route_is_downloaded_by_this_tier(commands):
    """``flask routes``: a new route serving a file (its path ends with an extension) needs its live test."""
    listed = commands.ok("routes").stdout.splitlines()
    rules = {line.split()[-1] for line in listed[2:] if line.strip()}
    files = {rule for rule in rules if re.search(r"\.(<fmt>|[a-z]+)$", rule) and not rule.startswith("/static/")}
    assert files == set(FILE_ROUTES)
