"""Synthesis of a process: themes, machine suggestions of groups, draft orientations and their evidence, the
orientations put to the vote; the facilitators' and partners' pages about them (the public "vous avez dit" page,
which follows each adopted priority further, is app/followup/views/public.py).

The views are on the moderation blueprint (endpoints ``moderation.*``, URLs under ``/moderation/``, ``/p/`` and
``/orientations/``), as they were before this package was split out of app/moderation/."""

import sqlalchemy as sa
from flask import Flask

from app.models import BallotOption
from app.orientations import ballot_links


def register(app: Flask) -> None:
    """Orientations' events, wired by ``create_app`` (never by importing): adopting a ballot option adopts its
    orientation."""
    if not sa.event.contains(BallotOption.adopted, "set", ballot_links.follow_adoption):
        sa.event.listen(BallotOption.adopted, "set", ballot_links.follow_adoption)


from app.orientations.views import facilitators, partners  # noqa: E402, F401  (views on moderation's bp)
