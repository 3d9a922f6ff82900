"""Labels and hints as XLSForms write them, rendered safely on the respondent page: the Markdown subset of
XLSForm (``**bold**``, ``*emphasis*``, ``_emphasis_``, ``[text](https://…)``, line breaks) and ``${code}``
(the answer to an earlier question, written in a ``<span data-pipe>`` that conditions.js updates as the person
answers). Everything else is escaped; HTML tags (``<span style=…>``) are removed, their text kept."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# The Markdown subset, applied in this order to the escaped text: (pattern, replacement).
_MARKDOWN = (
    (
        re.compile(r"\[([^\]]+)\]\(((?:https?://|mailto:)[^)\s\"'<>]+)\)"),
        r'<a href="\2" rel="noopener noreferrer">\1</a>',
    ),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"<strong>\2</strong>"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])"), r"<em>\1</em>"),
    (re.compile(r"(?<![\w])_(?=\S)([^_]+?)(?<=\S)_(?![\w])"), r"<em>\1</em>"),
)
_PIPE = re.compile(r"\$\{([^\W\d][\w.\-]*)\}")
_MARKERS = ("*", "_", "[", "<", "\n", "${")


def needs_markup(text: str) -> bool:
    return bool(text) and any(marker in text for marker in _MARKERS)


def render(text: str, answers: Mapping[str, Any]) -> Markup:
    """The text as safe HTML (see the module docstring)."""
    from app.builder.expressions import _string

    text = _TAG.sub("", text or "")
    html = str(escape(text))  # escapes & < > " ': the patterns below only add their own tags
    for pattern, replacement in _MARKDOWN:
        html = pattern.sub(replacement, html)

    def pipe(match: re.Match) -> str:
        name = match.group(1)
        value = answers.get(name)
        shown = "" if value is None else _string(value)
        return f'<span data-pipe="{name}">{escape(shown)}</span>'

    html = _PIPE.sub(pipe, html)
    html = html.strip().replace("\n", "<br>\n")
    return Markup(html)  # noqa: S704 - built from escaped text and the fixed tags above
