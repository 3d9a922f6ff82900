"""Which two revisions a history page compares (app/core/revisions.py)."""

from types import SimpleNamespace

from app.core.revisions import compared

REVISIONS = [SimpleNamespace(number=n) for n in (1, 2, 3, 4)]


def _numbers(old_number, new_number, revisions=REVISIONS):
    old, new = compared(revisions, old_number, new_number)
    return (old.number, new.number) if old else (None, None)


def test_by_default_the_last_revision_against_the_one_before():
    assert _numbers(None, None) == (3, 4)


def test_a_chosen_revision_against_the_one_before_it_or_the_first():
    assert _numbers(None, 3) == (2, 3)
    assert _numbers(None, 1) == (1, 1)


def test_two_chosen_revisions_and_unknown_numbers_fall_back():
    assert _numbers(1, 4) == (1, 4)
    assert _numbers(9, 3) == (2, 3)
    assert _numbers(2, 9) == (2, 4)


def test_nothing_to_compare_with_fewer_than_two_revisions():
    assert _numbers(None, None, REVISIONS[:1]) == (None, None)
    assert _numbers(1, 1, []) == (None, None)
