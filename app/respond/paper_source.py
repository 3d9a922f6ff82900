"""Where a paper questionnaire was filled in: the workshop or event (a free label for now; an event record may
come later), the day and the territory, typed when its entry starts. All optional; checked here, stored on the
response (``paper_source``, ``paper_filled_on``, ``paper_territory_id``), filterable in the results
(app/results/filters.py) and exported with every response (app/exports/export.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.extensions import db
from app.models import Response, ResponseChannel, Survey, Territory

MAX_LABEL = 200


class PaperSourceError(DomainError):
    """A source that cannot be recorded; ``field`` names the form field."""


@dataclass(frozen=True)
class PaperSource:
    label: str | None = None
    filled_on: date | None = None
    territory_id: int | None = None


def territories_of(survey: Survey) -> list[Territory]:
    """The territories offered: the process's, or every territory when the process names none."""
    return list(survey.process.territories) or list(
        db.session.execute(sa.select(Territory).order_by(Territory.name)).scalars()
    )


def paper_territory_choices(survey: Survey) -> list:
    from app.web.fields import choices

    return choices([("", _l("— Not given —")), *((str(t.id), t.name) for t in territories_of(survey))])


def check_paper_source(
    survey: Survey, label: str | None, filled_on: date | None, territory: str | None, today: date
) -> PaperSource:
    label = " ".join((label or "").split()) or None
    if label is not None and len(label) > MAX_LABEL:
        raise PaperSourceError(_l("At most %(max)d characters.", max=MAX_LABEL), "paper_source")
    if filled_on is not None and filled_on > today:
        raise PaperSourceError(_l("The date it was filled in cannot be in the future."), "paper_filled_on")
    territory_id = None
    if territory:
        known = {str(t.id): t.id for t in territories_of(survey)}
        if territory not in known:
            raise PaperSourceError(_l("Choose the territory from the list."), "paper_territory")
        territory_id = known[territory]
    return PaperSource(label, filled_on, territory_id)


QUERY_ARGS = ("paper_source", "paper_filled_on", "paper_territory")


def source_from_args(survey: Survey, args, today: date) -> tuple[PaperSource, dict[str, str]]:
    """The source given in query arguments (the one-long-page entry keeps it in its address, so that every sheet
    of a workshop's batch gets it) and the arguments to carry on; raises :class:`PaperSourceError`."""
    given = {name: " ".join((args.get(name) or "").split()) for name in QUERY_ARGS}
    filled_on = None
    if given["paper_filled_on"]:
        try:
            filled_on = date.fromisoformat(given["paper_filled_on"])
        except ValueError:
            raise PaperSourceError(
                _l("Enter the date as YYYY-MM-DD, for example 2024-05-31."), "paper_filled_on"
            ) from None
    source = check_paper_source(survey, given["paper_source"], filled_on, given["paper_territory"], today)
    return source, {name: value for name, value in given.items() if value}


def paper_sources(survey_id: int) -> list[str]:
    """The workshop or event labels of a survey's paper questionnaires, alphabetically (for the filters)."""
    return list(
        db.session.execute(
            sa.select(Response.paper_source)
            .where(
                Response.survey_id == survey_id,
                Response.channel == ResponseChannel.PAPER,
                Response.paper_source.is_not(None),
            )
            .distinct()
            .order_by(Response.paper_source)
        ).scalars()
    )
