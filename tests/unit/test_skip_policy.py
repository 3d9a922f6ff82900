"""CI runs every test it has: there, a skipped test fails the run unless tests/allowed_skips.py lists its reason.

Each case runs a small pytest session in a fresh process with the hooks of tests/conftest.py loaded as a plugin.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

TESTS = """
import pytest


def test_runs():
    assert True


def test_needs_a_tool():
    pytest.skip("the tool is not on PATH")


def test_on_sqlite():
    pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (make test does in CI)")


@pytest.mark.xfail(reason="a known bug", strict=True)
def test_known_bug():
    assert False
"""


def run_session(tmp_path: Path, tests: str, *, ci: bool) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n\n@pytest.fixture(autouse=True)\ndef _transaction():\n    yield\n", encoding="utf-8"
    )
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(tests), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in {"CI", "TEST_DATABASE_URL"}}
    env["PYTHONPATH"] = str(ROOT)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-rA", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_outside_ci_a_skip_is_a_skip(tmp_path):
    completed = run_session(tmp_path, TESTS, ci=False)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "1 passed, 2 skipped, 1 xfailed" in completed.stdout


def test_in_ci_a_skip_not_listed_fails_the_run(tmp_path):
    completed = run_session(tmp_path, TESTS, ci=True)
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "FAILED test_sample.py::test_needs_a_tool" in completed.stdout
    assert "the tool is not on PATH" in completed.stdout
    assert "tests/allowed_skips.py" in completed.stdout
    # The PostgreSQL-only tests on SQLite are listed (make test runs them again on PostgreSQL); xfail is not a skip.
    assert "1 failed, 1 passed, 1 skipped, 1 xfailed" in completed.stdout


def test_in_ci_a_module_skipped_at_collection_fails_the_run(tmp_path):
    completed = run_session(
        tmp_path,
        """
        import pytest

        pytestmark = pytest.mark.skipif(True, reason="node is not on PATH")


        def test_in_javascript():
            assert True
        """,
        ci=True,
    )
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "node is not on PATH" in completed.stdout


def test_in_ci_a_whole_file_skipped_while_importing_fails_the_run(tmp_path):
    completed = run_session(
        tmp_path,
        """
        import pytest

        pytest.importorskip("a_module_nobody_installed")


        def test_never_collected():
            assert True
        """,
        ci=True,
    )
    assert completed.returncode != 0, completed.stdout[-3000:]
    assert "a_module_nobody_installed" in completed.stdout
    assert "tests/allowed_skips.py" in completed.stdout
