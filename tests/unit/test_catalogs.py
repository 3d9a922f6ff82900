"""French whatever the deploy path: the compiled catalog is part of the code, and production refuses to start
without it.

The .mo is committed (a deploy by ``git clone`` + ``pip install`` + ``flask db upgrade`` + gunicorn never runs
the Makefile); these tests fail when it no longer matches the .po, in the work tree or in what git holds.
"""

import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LC_MESSAGES = Path("app") / "translations" / "fr_CA" / "LC_MESSAGES"
PO = LC_MESSAGES / "messages.po"
MO = LC_MESSAGES / "messages.mo"
HOW_TO_FIX = (
    "compile it (.venv/bin/pybabel compile -d app/translations -l fr_CA, or make translations) and commit the .mo"
)


def translations(catalog) -> dict:
    """What a catalog gives a reader: msgid (and context) -> translation, for the translated, non-fuzzy messages."""

    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    found = {}
    for message in catalog:
        strings = message.string if isinstance(message.string, list | tuple) else [message.string]
        if message.id and not message.fuzzy and all(strings):
            found[(plain(message.id), message.context)] = plain(message.string)
    return found


def compare(po_bytes: bytes, mo_bytes: bytes) -> dict:
    po = translations(read_po(io.BytesIO(po_bytes)))
    mo = translations(read_mo(io.BytesIO(mo_bytes)))
    return {
        "missing from the .mo": sorted(str(key[0]) for key in po.keys() - mo.keys())[:10],
        "not in the .po": sorted(str(key[0]) for key in mo.keys() - po.keys())[:10],
        "different": sorted(str(key[0]) for key in po.keys() & mo.keys() if po[key] != mo[key])[:10],
    }


def test_the_compiled_catalog_matches_the_po_file():
    assert (ROOT / MO).exists(), f"{MO} is missing: {HOW_TO_FIX}"
    differences = compare((ROOT / PO).read_bytes(), (ROOT / MO).read_bytes())
    assert differences == {"missing from the .mo": [], "not in the .po": [], "different": []}, (
        f"{MO} is out of date with {PO}: {HOW_TO_FIX}"
    )


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, timeout=30)


def test_the_committed_catalog_matches_the_committed_po_file():
    """What git holds (the index: the last commit plus what is staged), which is what a clone deploys; the work
    tree's .mo is rebuilt by the Makefile and cannot tell whether the .mo was committed."""
    if shutil.which("git") is None or _git("rev-parse", "--is-inside-work-tree").returncode != 0:
        pytest.skip("not a git work tree: nothing committed to check")
    mo = _git("show", f":{MO.as_posix()}")
    assert mo.returncode == 0, f"{MO} is not in git: {HOW_TO_FIX}"
    po = _git("show", f":{PO.as_posix()}")
    differences = compare(po.stdout, mo.stdout)
    assert differences == {"missing from the .mo": [], "not in the .po": [], "different": []}, (
        f"the committed {MO} is out of date with the committed {PO}: {HOW_TO_FIX}"
    )


@pytest.fixture
def deployed(tmp_path) -> Path:
    """A copy of the code as a deploy has it (no Makefile run), with its own instance folder."""
    target = tmp_path / "concerto"
    target.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("app", "templates", "migrations"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("config.py", "wsgi.py"):
        shutil.copy2(ROOT / name, target / name)
    return target


def start_in_production(folder: Path, code: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in {"TEST_DATABASE_URL", "FLASK_APP"}}
    env.update(
        CONCERTO_CONFIG="production",
        SECRET_KEY="a-production-secret-key-of-more-than-32-characters",
        DATABASE_URL=f"sqlite:///{folder / 'instance' / 'concerto.db'}",
        RATELIMIT_STORAGE_URI="memory://",
        PUBLIC_URL="https://concerto.example.org",
        PYTHONPATH=str(folder),
    )
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_the_french_catalog(deployed):
    (deployed / MO).unlink()
    completed = start_in_production(deployed, "import wsgi")
    assert completed.returncode != 0
    assert "Refusing to start in production" in completed.stderr
    assert "app/translations/fr_CA/LC_MESSAGES/messages.mo" in completed.stderr
    assert "pybabel compile -d app/translations" in completed.stderr


def test_production_with_the_catalog_serves_french(deployed):
    completed = start_in_production(
        deployed,
        """
        from wsgi import app
        response = app.test_client().get("/login", base_url="https://concerto.example.org")
        print(response.status_code)
        print(response.get_data(as_text=True))
        """,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    status, html = completed.stdout.split("\n", 1)
    assert status == "200"
    assert '<html lang="fr-CA"' in html
    assert "Connexion" in html
    assert "Mot de passe" in html
    assert "Password" not in html
