"""Every visible string has a French translation: extraction finds nothing missing or fuzzy in the catalog."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "app" / "translations" / "fr_CA" / "LC_MESSAGES" / "messages.po"
METHOD_MAP = [("app/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
OPTIONS = {"templates/**.html": {"trimmed": "true"}, "templates/**.txt": {"trimmed": "true"}}


def _extracted() -> dict[str, str]:
    messages = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHOD_MAP,
        OPTIONS,
        keywords={
            "_": None,
            "gettext": None,
            "_l": None,
            "lazy_gettext": None,
            "_ln": (1, 2),
            "lazy_ngettext": (1, 2),
            "ngettext": (1, 2),
            "_n": (1, 2),
        },
    ):
        key = message[0] if isinstance(message, tuple) else message
        messages.setdefault(key, filename)
    return messages


def test_every_string_is_translated_to_french():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = {
        msgid: where
        for msgid, where in _extracted().items()
        if not (catalog.get(msgid) and catalog.get(msgid).string and not catalog.get(msgid).fuzzy)
    }
    assert missing == {}, f"{len(missing)} strings lack a French translation; run `make translations` and fill them"
