"""Machine suggestions of groups among the approved items of a process. Nothing is applied without a person: a
facilitator turns a group into a theme (its items tagged) or into an orientation (its items as evidence), or
dismisses it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import ngettext

from app.core.extensions import db
from app.models import ItemState, ModerationItem, Process, Theme, User
from app.orientations import themes

if TYPE_CHECKING:
    # grouping imports numpy, SciPy and scikit-learn (about 1 s): imported where grouping runs, not at start-up.
    from app.orientations import grouping


@dataclass
class GroupView:
    signature: str
    item_ids: list[int]
    key_terms: list[str]
    representatives: list[ModerationItem] = field(default_factory=list)
    near_duplicates: list[list[ModerationItem]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.item_ids)


def signature(item_ids: Iterable[int]) -> str:
    """A short, stable name of a group (its sorted item ids)."""
    joined = ",".join(str(i) for i in sorted(set(item_ids)))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def approved_inputs(process_id: int) -> list[grouping.GroupInput]:
    from app.orientations import grouping  # lazy for fast start: numpy, scipy and scikit-learn

    rows = db.session.execute(
        sa.select(ModerationItem.id, ModerationItem.redacted_text, ModerationItem.language)
        .where(ModerationItem.process_id == process_id, ModerationItem.state == ItemState.APPROVED)
        .order_by(ModerationItem.id)
    )
    return [
        grouping.GroupInput(id=i, text=text or "", language="en" if language == "en" else "fr")
        for i, text, language in rows
    ]


def suggest(process_id: int, *, dismissed: Sequence[str] = ()) -> list[GroupView]:
    """Suggested groups of the process's approved items, with their representatives loaded (one query)."""
    from app.orientations import grouping  # lazy for fast start: numpy, scipy and scikit-learn

    groups = grouping.suggest_groups(approved_inputs(process_id))
    views = [
        GroupView(signature(g.item_ids), list(g.item_ids), list(g.key_terms))
        for g in groups
        if signature(g.item_ids) not in dismissed
    ]
    wanted = {i for g in groups for i in g.representative_ids}
    wanted |= {i for g in groups for dup in g.near_duplicates for i in dup}
    loaded = (
        {item.id: item for item in db.session.scalars(sa.select(ModerationItem).where(ModerationItem.id.in_(wanted)))}
        if wanted
        else {}
    )
    by_signature = {signature(g.item_ids): g for g in groups}
    for view in views:
        group = by_signature[view.signature]
        view.representatives = [loaded[i] for i in group.representative_ids if i in loaded]
        view.near_duplicates = [[loaded[i] for i in dup if i in loaded] for dup in group.near_duplicates]
    return views


def approved_ids(process_id: int, item_ids: Iterable[int]) -> list[int]:
    """The ids among ``item_ids`` that are approved items of the process (a tampered form cannot add others)."""
    ids = [int(i) for i in item_ids]
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(ModerationItem.id)
            .where(
                ModerationItem.id.in_(ids),
                ModerationItem.process_id == process_id,
                ModerationItem.state == ItemState.APPROVED,
            )
            .order_by(ModerationItem.id)
        )
    )


def group_to_theme(
    process: Process, actor: User, item_ids: Iterable[int], name_fr: str, name_en: str = ""
) -> tuple[Theme, str]:
    """Tag the group's approved items with a new theme, or with the active theme that already has this name (no
    duplicate); returns the theme and what to tell the facilitator."""
    ids = approved_ids(process.id, item_ids)
    existing = themes.theme_named(process.id, name_fr) or (themes.theme_named(process.id, name_en) if name_en else None)
    theme = existing or themes.create_theme(process, actor, name_fr, name_en)
    themes.tag_items(theme, ids, actor)
    if existing is not None:
        return theme, ngettext(
            "The item joined the existing theme “%(name)s”.",
            "The %(num)d items joined the existing theme “%(name)s”.",
            len(ids),
            name=theme.name_fr,
        )
    return theme, ngettext(
        "Theme “%(name)s” created with %(num)d item.",
        "Theme “%(name)s” created with %(num)d items.",
        len(ids),
        name=theme.name_fr,
    )
