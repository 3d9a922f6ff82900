"""Readability of the fixed texts a respondent reads (issue 16): LIX, in French and in English.

LIX (Björnsson) = words per sentence + 100 × share of long words (more than six letters). Under 30 is very easy,
30–40 easy (everyday texts), 40–50 average (newspapers), over 50 hard. A sentence ends with ``.``, ``!``, ``?`` or
``:``; a message without an ending (a button, a heading) is one sentence of its own; a placeholder (a number, a
name) is one short word; a message with plural forms counts once, in its plural form. Figures are per group of
texts (one respondent page), since LIX means little on a lone button label.

``python -m tests.support.readability`` prints the table recorded in docs/READABILITY.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app" / "translations" / "fr_CA" / "LC_MESSAGES" / "messages.po"

#: The texts a respondent meets, by page: the templates of the respondent pages, and the messages of the modules
#: that speak to respondents (the question types' hints and refusals, the respondent views' notices).
GROUPS: dict[str, list[str]] = {
    "Welcome page (landing)": ["templates/respond/landing.html"],
    "Question page": ["templates/respond/page.html", "templates/respond/_questions.html"],
    "Questions (hints, refusals)": ["app/questions/*.py"],
    "Saved for later": ["templates/respond/saved.html"],
    "Thanks": ["templates/respond/thanks.html"],
    "Notices and the page of a survey that cannot be answered": [
        "templates/respond/unavailable.html",
        "app/respond/**/*.py",
    ],
}

#: Content written for respondents by the team, in the templates the demo ships (app/builder/catalog/): the welcome
#: text and the full privacy notice of the parents' questionnaire.
CONTENT: dict[str, tuple[str, tuple[str, ...]]] = {
    "Parents' questionnaire (demo): welcome text and full notice": (
        "app/builder/catalog/parents-0-8.json",
        ("intro", "privacy"),
    ),
}

_WORD = re.compile(r"[^\W_]+(?:[’'-][^\W_]+)*")
_SENTENCE_END = re.compile(r"[.!?:]+(?:\s|$)")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@dataclass(frozen=True)
class Figures:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / self.sentences + 100 * self.long_words / self.words


def figures(texts: list[str]) -> Figures:
    words = sentences = long_words = 0
    for text in texts:
        text = _PLACEHOLDER.sub("2", text)  # a number, a name: one short word
        found = _WORD.findall(text)
        if not found:
            continue
        words += len(found)
        long_words += sum(1 for w in found if len(w.replace("’", "").replace("'", "")) > 6)
        sentences += max(1, len(_SENTENCE_END.findall(text.strip() + " ")))
    return Figures(words, sentences, long_words)


def lix(text: str) -> float:
    return figures([text]).lix


def _method(path: Path) -> str:
    return "python" if path.suffix == ".py" else "jinja2"


def messages(pattern: str) -> list[str]:
    """The English messages (msgids; the plural form of a message that has one) of the files matching ``pattern``."""
    found: list[str] = []
    for path in sorted(ROOT.glob(pattern)):
        options = {"trimmed": "true"} if _method(path) == "jinja2" else {}
        keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "_ln": (1, 2)}
        for _line, message, _comments, _context in extract_from_file(
            _method(path), str(path), keywords=keywords, options=options
        ):
            text = message[1] if isinstance(message, tuple) else message
            if text and text not in found:
                found.append(text)
    return found


def french(english: list[str]) -> list[str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="fr_CA")
    texts = []
    for text in english:
        message = catalog.get(text) or next((m for m in catalog if isinstance(m.id, tuple) and m.id[1] == text), None)
        if message is None:
            continue
        string = message.string[1] if isinstance(message.string, tuple) else message.string
        if string:
            texts.append(string)
    return texts


def table() -> list[tuple[str, Figures, Figures]]:
    rows = []
    for name, patterns in GROUPS.items():
        english = [text for pattern in patterns for text in messages(pattern)]
        rows.append((name, figures(french(english)), figures(english)))
    for name, (path, fields) in CONTENT.items():
        survey = json.loads((ROOT / path).read_text(encoding="utf-8"))["survey"]
        rows.append((name, *(figures([survey[field][language] for field in fields]) for language in ("fr", "en"))))
    return rows


def main() -> None:
    print("| texts | LIX français (mots, phrases) | LIX English (words, sentences) |")
    print("|---|---:|---:|")
    for name, fr, en in table():
        print(f"| {name} | {fr.lix:.0f} ({fr.words}, {fr.sentences}) | {en.lix:.0f} ({en.words}, {en.sentences}) |")


if __name__ == "__main__":
    main()
