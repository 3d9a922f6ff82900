"""Ready-made questionnaires, shipped as definition documents (see docs/QUESTIONNAIRE_FORMAT.md).

Each template is a JSON file of this folder; its ``survey.template`` value is its key.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Template:
    key: str
    title_fr: str
    title_en: str
    intro_fr: str
    intro_en: str
    question_count: int


#: Keys in the order facilitators see them.
TEMPLATE_KEYS = ("parents-0-8", "employeurs-etudes-travail", "professions-en-demande")


@cache
def _raw(key: str) -> str:
    if key not in TEMPLATE_KEYS:
        raise KeyError(key)
    return (CATALOG_DIR / f"{key}.json").read_text(encoding="utf-8")


def load_template(key: str) -> dict:
    """A fresh copy of the template's definition document (``KeyError`` for an unknown key)."""
    return json.loads(_raw(key))


def list_templates() -> list[Template]:
    templates = []
    for key in TEMPLATE_KEYS:
        data = load_template(key)
        survey = data["survey"]
        templates.append(
            Template(
                key=key,
                title_fr=survey["title"]["fr"],
                title_en=survey["title"]["en"],
                intro_fr=survey["intro"]["fr"],
                intro_en=survey["intro"]["en"],
                question_count=sum(len(page["questions"]) for page in data["pages"]),
            )
        )
    return templates
