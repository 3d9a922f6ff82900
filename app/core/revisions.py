"""Which two revisions of a revised text (an orientation, a collective action) a history page compares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def compared(revisions: Sequence[Any], old_number: int | None, new_number: int | None) -> tuple[Any, Any]:
    """(old, new) among ``revisions`` (in the order of their ``number``): ``new_number``'s revision, the last one by
    default, and ``old_number``'s, by default the one before the new one (or the first); (None, None) when there are
    fewer than two revisions."""
    if len(revisions) < 2:
        return None, None
    new = next((r for r in revisions if r.number == new_number), revisions[-1])
    old = next((r for r in revisions if r.number == old_number), None) or next(
        (r for r in reversed(revisions) if r.number < new.number), revisions[0]
    )
    return old, new
