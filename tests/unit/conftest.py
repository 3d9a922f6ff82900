"""Unit tests exercise pure domain modules: no app, no database."""

import pytest


@pytest.fixture(autouse=True)
def _transaction():
    """Overrides the database fixture of tests/conftest.py: nothing to set up here."""
    yield
