"""The public "vous avez dit" page: what the published orientations say, and the words they come from."""

from __future__ import annotations

from flask import render_template

from app.auth.access import public
from app.models import (
    Orientation,
)
from app.moderation import bp
from app.orientations import orientations as orient
from app.orientations.views.common import published_orientations
from app.processes.visibility import get_visible_process_or_404


@bp.get("/p/<slug>/vous-avez-dit")
@public
def you_said(slug: str):
    process = get_visible_process_or_404(slug)
    published = published_orientations(process, Orientation.state.desc(), Orientation.id)
    entries = [
        (o, orient.evidence_summary(o.id, public=True), orient.evidence(o.id, public=True, limit=3)) for o in published
    ]
    return render_template("moderation/you_said.html", process=process, entries=entries)
