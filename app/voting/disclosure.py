"""Which group figures of a vote may be published: no published figure, alone or combined with others, may tell
what fewer than :data:`THRESHOLD` voters voted, nor whether fewer than that many people voted.

Pure functions, no database: the callers count ballots (or eligible people) per *cell* in SQL and publish
only what :func:`generalize` and :func:`plan_ballots` allow. The rule, as statistical agencies apply it to
tables (primary suppression, then complementary suppression), and as the README states it:

1. **Cells.** Every ballot falls in exactly one cell: its (sector, territory) and — when the list of counted
   ballots shows each ballot's source — its source (online or paper). Paper ballots and voters without an
   organization have no sector and no territory: their cell is the *rest*, ``(None, None)``.
2. **Primary suppression.** A cell of fewer than ``k`` ballots loses its territory (it joins "its sector, all
   territories"); if that is still fewer than ``k``, it loses its sector too and joins the rest.
3. **Complementary suppression.** The rest is published too (as "N ballots are counted only in the totals",
   and anyway by subtracting the groups from the totals). If it then holds 1 to ``k - 1`` ballots, the
   smallest published cell joins it, so that it holds more than ``k``.
4. **Source.** The source column of the list of ballots is shown only when each source holds 0 or at least
   ``k`` ballots (or there is only one); the cells are then made separately for each source. Otherwise
   sources are not told apart.

Every group of every published table (by sector, by territory, the rest lines) is then a union of cells of at
least ``k`` ballots, and so is every sum or difference of published figures: subtracting groups from the
totals, one table from another, or the online ballots from all of them, never isolates fewer than ``k``
ballots. Ballots of one cell cannot be told apart by any published figure, so nothing about fewer than ``k``
of them can be inferred either, short of a whole cell voting alike (a cell of 5 that all approved an option
tells that each of them did, as a unanimous vote does). A voter who subtracts their own ballot is left with
at least ``k - 1`` others. When fewer than ``k`` ballots were cast in all, no group is shown: the totals of
the vote are always published.

Turnout tables apply the same rule to the people eligible to vote (:func:`generalize` on their cells).

Live results (while a vote is open) are a table published again and again: the difference between two
successive versions is what was voted in between. They are therefore updated only once at least ``k``
voters (people, organizations for one ballot per organization, or paper ballots) have voted since the last
update (:func:`live_update_due`), and they never show groups.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Final

THRESHOLD: Final = 5

#: (sector, territory); None means "not shown" (the territory, or both).
Key = tuple[Hashable | None, Hashable | None]
REST: Final[Key] = (None, None)


def _sizes(mapping: Mapping[Key, Key], counts: Mapping[Key, int]) -> Counter:
    sizes: Counter = Counter()
    for key, n in counts.items():
        sizes[mapping[key]] += max(0, n)
    return sizes


def generalize(counts: Mapping[Key, int], k: int = THRESHOLD) -> dict[Key, Key]:
    """For each cell (sector, territory) -> its number of ballots (or people), the cell it is published under,
    so that every published cell holds at least ``k`` — the rest ``(None, None)`` included, unless the rest is
    everything."""
    mapping: dict[Key, Key] = {}
    for key, n in counts.items():
        sector, territory = key
        if territory is not None and n >= k:
            mapping[key] = key
        else:  # primary suppression, first step: drop the territory
            mapping[key] = (sector, None) if sector is not None else REST
    sizes = _sizes(mapping, counts)
    for key, published in mapping.items():  # second step: drop the sector
        if published != REST and published[1] is None and sizes[published] < k:
            mapping[key] = REST
    sizes = _sizes(mapping, counts)
    if 0 < sizes[REST] < k:  # complementary suppression: the rest must not be a small group either
        # The smallest; between equals, one already without territory (a cell with one tells more).
        others = sorted(
            (n, cell[1] is not None, repr(cell), cell) for cell, n in sizes.items() if cell != REST and n > 0
        )
        if others:
            smallest = others[0][-1]
            for key, published in mapping.items():
                if published == smallest:
                    mapping[key] = REST
    return mapping


@dataclass(frozen=True)
class BallotPlan:
    """What may be published about the groups of a ballot's casts."""

    cells: Mapping[tuple, Key]  # (sector, territory, source) -> published (sector, territory)
    show_source: bool  # whether the list of counted ballots may show each ballot's source

    def published(self, sector: Hashable | None, territory: Hashable | None, source: Hashable) -> Key:
        return self.cells.get((sector, territory, source), REST)


def plan_ballots(counts: Mapping[tuple, int], k: int = THRESHOLD) -> BallotPlan:
    """``counts``: (sector, territory, source) -> number of ballots. See the module docstring for the rule."""
    by_source: Counter = Counter()
    for (_sector, _territory, source), n in counts.items():
        by_source[source] += max(0, n)
    present = [n for n in by_source.values() if n > 0]
    show_source = len(present) <= 1 or all(n >= k for n in present)  # one source only: the column tells nothing
    cells: dict[tuple, Key] = {}
    if show_source:
        for source in by_source:
            stratum = {(s, t): n for (s, t, src), n in counts.items() if src == source}
            mapping = generalize(stratum, k)
            cells.update({(s, t, source): mapping[(s, t)] for (s, t) in stratum})
    else:
        merged: Counter = Counter()
        for (s, t, _source), n in counts.items():
            merged[(s, t)] += max(0, n)
        mapping = generalize(merged, k)
        cells = {(s, t, source): mapping[(s, t)] for (s, t, source) in counts}
    return BallotPlan(cells, show_source)


def live_update_due(new_voters: int, k: int = THRESHOLD) -> bool:
    """Whether live results may move: at least ``k`` voters have voted (or changed their vote) since the
    figures last moved."""
    return new_voters >= k
