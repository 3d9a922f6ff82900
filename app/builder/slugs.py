"""Survey addresses: ``/s/<slug>``. A slug is lowercase ASCII letters, digits and single hyphens."""

import re
import unicodedata

from app.core.extensions import db
from app.models import Survey

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 80
_BASE_LENGTH = 60  # leaves room for a "-<n>" suffix


def is_valid_slug(value: str) -> bool:
    return bool(SLUG_RE.fullmatch(value)) and len(value) <= MAX_SLUG_LENGTH


def slugify(text: str, fallback: str = "questionnaire") -> str:
    """``"Besoins des parents (0-8 ans)"`` → ``"besoins-des-parents-0-8-ans"``."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:_BASE_LENGTH].rstrip("-")
    return slug or fallback


def slug_is_free(slug: str, own_id: int | None = None) -> bool:
    query = db.select(Survey.id).where(Survey.slug == slug)
    if own_id is not None:
        query = query.where(Survey.id != own_id)
    return db.session.execute(query).first() is None


def unique_slug(base: str) -> str:
    """``base`` if no survey uses it, else ``base-2``, ``base-3``…"""
    base = slugify(base)
    taken = set(
        db.session.execute(db.select(Survey.slug).where(db.or_(Survey.slug == base, Survey.slug.like(f"{base}-%"))))
        .scalars()
        .all()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
