"""Choices edited as text, one per line: ``code | libellé français | English label``.

The round trip is exact: :func:`parse_choice_lines` (:func:`format_choice_lines` (choices)) gives the same choices.
A ``|`` inside a label is written ``\\|`` and a backslash ``\\\\``. A line with a single part is a French label whose
code is made from it; a line with two parts has no English label.
"""

import re
import unicodedata

from flask_babel import gettext as _

MAX_LINES = 300


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def format_choice_lines(choices: list[dict]) -> str:
    """``[{"code": "oui", "label": {"fr": "Oui", "en": "Yes"}}]`` → ``"oui | Oui | Yes"``."""
    lines = []
    for choice in choices:
        label = choice.get("label") or {}
        parts = [choice.get("code") or "", _escape(label.get("fr", "")), _escape(label.get("en", ""))]
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _split(line: str) -> list[str]:
    parts, current, chars = [], [], iter(line)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(following if following in {"|", "\\"} else char + following)
        elif char == "|":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts]


def code_from_label(label: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    code = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40].rstrip("_")
    return code or "choix"


def parse_choice_lines(text: str) -> tuple[list[dict], list[str]]:
    """The choices written in ``text`` and the problems found (each message names its line)."""
    choices: list[dict] = []
    problems: list[str] = []
    lines = (text or "").splitlines()
    if len([line for line in lines if line.strip()]) > MAX_LINES:
        return [], [_("Too many lines: at most %(max)d choices.", max=MAX_LINES)]
    used = set()
    pending_codes: list[tuple[int, dict]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = _split(line)
        if len(parts) > 3:
            problems.append(
                _(
                    "Line %(line)d: too many “|”; write code | French label | English label "
                    "(a “|” inside a label is written \\|).",
                    line=number,
                )
            )
            continue
        if len(parts) == 1:
            choice = {"code": None, "label": {"fr": parts[0], "en": ""}}
            pending_codes.append((number, choice))
        else:
            code = parts[0]
            choice = {"code": code, "label": {"fr": parts[1], "en": parts[2] if len(parts) == 3 else ""}}
            used.add(code)
        choices.append(choice)
    for _number, choice in pending_codes:
        base = code_from_label(choice["label"]["fr"])
        code, n = base, 2
        while code in used:
            code, n = f"{base}_{n}", n + 1
        used.add(code)
        choice["code"] = code
    return choices, problems
