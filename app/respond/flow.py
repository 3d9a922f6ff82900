"""The page-by-page journey's one step, without requests or database: where a sent page leads.

Respondents (app/respond/views/public.py), the facilitator's preview (views/preview.py) and paper entry
(views/paper.py) all move through a questionnaire the same way: the page's answers replace what was known of its
questions, visibility is recomputed, and the button pressed says where to go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.models import Survey, SurveyPage
from app.respond import engine

Action = Literal["next", "back", "later", "language"]


@dataclass(frozen=True)
class Step:
    """Where a sent page leads.

    ``to`` is ``"previous"`` (``back``: the previous shown page, or this one if it is the first), ``"same"``
    (``later`` or ``language``: this page again), ``"next"`` (the next shown page) or ``"end"`` (``next`` on the
    last shown page: complete the response; ``page`` is then None).
    """

    to: Literal["previous", "same", "next", "end"]
    page: SurveyPage | None
    values: dict[str, Any]
    seen: engine.Visibility


def merge(stored: Mapping[str, Any], page: SurveyPage, sent: Mapping[str, Any]) -> dict[str, Any]:
    """What is known once the page's answers replace the stored answers to its questions (matrix rows included)."""
    codes = {q.code for q in page.questions}
    return {k: v for k, v in stored.items() if k.split(":", 1)[0] not in codes} | dict(sent)


def advance(survey: Survey, page: SurveyPage, stored: Mapping[str, Any], sent: Mapping[str, Any], action: str) -> Step:
    """The step after ``page`` was sent with ``sent`` answers and the ``action`` button."""
    values = merge(stored, page, sent)
    seen = engine.visibility(survey, values)
    if action == "back":
        return Step("previous", engine.previous_page(seen, page) or page, values, seen)
    if action in {"later", "language"}:
        return Step("same", page, values, seen)
    following = engine.next_page(seen, page)
    if following is not None:
        return Step("next", following, values, seen)
    return Step("end", None, values, seen)
