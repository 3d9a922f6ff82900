"""Themes of a process: create, rename, describe, merge; tag items; counts per theme by territory and group.

A name (French or English) belongs to one active theme of the process, whatever its case and accents
(:func:`app.core.text.comparison_key`; the French one is also held by a unique index). A merge moves every tag of
the merged theme to the theme it joins, so no item keeps the merged-away tag."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.compliance import audit
from app.core.extensions import db
from app.core.queries import rows_where
from app.core.text import comparison_key
from app.models import ModerationItem, Process, Territory, Theme, User, item_themes
from app.moderation.decisions import DecisionError


def active_themes(process_id: int) -> list[Theme]:
    return rows_where(
        Theme, Theme.process_id == process_id, Theme.merged_into_id.is_(None), order_by=(Theme.name_fr, Theme.id)
    )


def theme_named(process_id: int, name: str, *, besides: int | None = None) -> Theme | None:
    """The active theme of the process whose French or English name is ``name`` (case and accents aside)."""
    key = comparison_key(name)
    if not key:
        return None
    for theme in active_themes(process_id):
        if theme.id != besides and key in (theme.name_key, comparison_key(theme.name_en)):
            return theme
    return None


def _check_names(process_id: int, name_fr: str, name_en: str, besides: int | None = None) -> None:
    for field, name in (("name_fr", name_fr), ("name_en", name_en)):
        taken = theme_named(process_id, name, besides=besides)
        if taken is not None:
            raise DecisionError(
                _l("A theme of this process already has this name: “%(name)s”.", name=taken.name_fr), field
            )


def _flush_unique() -> None:
    """Flush; a concurrent theme of the same name (the unique index) becomes a refusal, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise DecisionError(_l("A theme of this process already has this name."), "name_fr") from error


THEME_TEXTS = ("name_fr", "name_en", "description_fr", "description_en")


def _checked_texts(process_id: int, fields: dict[str, str | None], theme: Theme | None = None) -> dict[str, str]:
    """The texts of ``fields`` (a key of THEME_TEXTS each, None: keep) to set on ``theme`` (None: a new theme of the
    process), names trimmed; refused when the theme would have no French name, or a name of another active theme."""
    name_fr = (fields.get("name_fr") or (theme.name_fr if theme else "")).strip()
    if not name_fr:
        raise DecisionError(_l("Give the theme a French name."), "name_fr")
    name_en = (fields["name_en"] if fields.get("name_en") is not None else (theme.name_en if theme else "")).strip()
    _check_names(process_id, name_fr, name_en, besides=theme.id if theme else None)
    return {
        key: value.strip() if key.startswith("name") else value
        for key in THEME_TEXTS
        if (value := fields.get(key)) is not None
    }


def create_theme(
    process: Process, actor: User, name_fr: str, name_en: str = "", description_fr: str = "", description_en: str = ""
) -> Theme:
    texts = (name_fr, name_en, description_fr, description_en)
    theme = Theme(process=process, **_checked_texts(process.id, dict(zip(THEME_TEXTS, texts, strict=True))))
    db.session.add(theme)
    _flush_unique()
    audit.record(actor, "theme.create", theme, name=theme.name_fr)
    return theme


def update_theme(theme: Theme, actor: User, **fields: str) -> None:
    for key, value in _checked_texts(theme.process_id, fields, theme).items():
        setattr(theme, key, value)
    audit.record(actor, "theme.update", theme, **{k: v for k, v in fields.items() if k.startswith("name")})
    _flush_unique()


def _item_ids_of(theme_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(item_themes.c.item_id).where(item_themes.c.theme_id == theme_id)))


def tag_items(theme: Theme, item_ids: Iterable[int], actor: User | None = None) -> int:
    """Tag the items (of the theme's process) with the theme; returns how many new tags."""
    wanted = set(
        db.session.scalars(
            sa.select(ModerationItem.id).where(
                ModerationItem.id.in_(list(item_ids)), ModerationItem.process_id == theme.process_id
            )
        )
    )
    new = sorted(wanted - set(_item_ids_of(theme.id)))
    if new:
        db.session.execute(sa.insert(item_themes), [{"item_id": i, "theme_id": theme.id} for i in new])
        if actor is not None:
            audit.record(actor, "theme.tag", theme, items=new)
    db.session.flush()
    return len(new)


def untag_item(theme: Theme, item_id: int, actor: User) -> None:
    db.session.execute(
        sa.delete(item_themes).where(item_themes.c.theme_id == theme.id, item_themes.c.item_id == item_id)
    )
    audit.record(actor, "theme.untag", theme, item=item_id)
    db.session.flush()


def merge_themes(source: Theme, target: Theme, actor: User) -> None:
    """Every item of ``source`` is retagged with ``target`` (it keeps no tag of ``source``); ``source`` points to
    ``target`` and leaves the lists, its name free again."""
    if source.id == target.id or source.process_id != target.process_id or target.merged_into_id is not None:
        raise DecisionError(_l("Choose another theme of the same process."))
    moved = _item_ids_of(source.id)
    tag_items(target, moved)
    db.session.execute(sa.delete(item_themes).where(item_themes.c.theme_id == source.id))
    source.merged_into = target
    audit.record(actor, "theme.merge", source, into=target.id, items=moved)
    db.session.flush()


def theme_counts(process_id: int) -> dict[int, int]:
    """Number of items per active theme."""
    rows = db.session.execute(
        sa.select(item_themes.c.theme_id, sa.func.count())
        .join(Theme, Theme.id == item_themes.c.theme_id)
        .where(Theme.process_id == process_id)
        .group_by(item_themes.c.theme_id)
    )
    return dict(rows.all())


def _counts_by(process_id: int, column: Any, *joins: tuple[Any, Any]) -> dict[int, list[tuple[str | None, int]]]:
    """{theme id: [(value of ``column``, number of the theme's items with it)]} for the themes of a process, in the
    order of the values; ``joins``: (table, on clause) outer-joined to reach ``column`` from the items."""
    query = (
        sa.select(item_themes.c.theme_id, column, sa.func.count())
        .select_from(item_themes)
        .join(Theme, Theme.id == item_themes.c.theme_id)
        .join(ModerationItem, ModerationItem.id == item_themes.c.item_id)
    )
    for table, on in joins:
        query = query.outerjoin(table, on)
    rows = db.session.execute(
        query.where(Theme.process_id == process_id)
        .group_by(item_themes.c.theme_id, column)
        .order_by(item_themes.c.theme_id, column)
    )
    result: dict[int, list[tuple[str | None, int]]] = {}
    for theme_id, value, count in rows:
        result.setdefault(theme_id, []).append((value, count))
    return result


def counts_by_territory(process_id: int) -> dict[int, list[tuple[str | None, int]]]:
    return _counts_by(process_id, Territory.name, (Territory, Territory.id == ModerationItem.territory_id))


def counts_by_group(process_id: int) -> dict[int, list[tuple[str | None, int]]]:
    return _counts_by(process_id, ModerationItem.respondent_group)
