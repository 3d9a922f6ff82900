"""How names are compared: two theme names, or two option labels of a ballot, are the same name when they differ
only by case, accents, apostrophes or spaces ("Éducation" and " education "). One function, used by the domain
checks and stored in the columns that unique indexes compare."""

from __future__ import annotations

import unicodedata


def comparison_key(text: str | None) -> str:
    """Lower case (case-folded), no accents, ASCII apostrophes, single spaces, trimmed."""
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("’", "'").replace("‘", "'"))
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.casefold().split())
