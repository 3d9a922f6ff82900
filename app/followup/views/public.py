"""The public follow-up page of a process, "Vous avez dit… nous avons fait" (/p/<slug>/vous-avez-dit) and its
English twin (/p/<slug>/you-said): for each adopted priority the whole chain (app/followup/chain.py), then the other
published orientations with their evidence. Only approved, redacted texts and counts: nothing personal."""

from __future__ import annotations

from contextlib import nullcontext

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import force_locale

from app.auth.access import public
from app.core.extensions import db
from app.followup import bp
from app.followup.chain import chains
from app.models import Orientation, OrientationState
from app.models.moderation import PUBLISHED_ORIENTATION_STATES
from app.orientations import orientations as orient
from app.processes.visibility import get_visible_process_or_404


def _page(slug: str):
    process = get_visible_process_or_404(slug)
    others = db.session.scalars(
        sa.select(Orientation)
        .where(
            Orientation.process_id == process.id,
            Orientation.state.in_([s for s in PUBLISHED_ORIENTATION_STATES if s is not OrientationState.ADOPTED]),
        )
        .order_by(Orientation.state.desc(), Orientation.id)
    ).all()
    entries = [
        (o, orient.evidence_summary(o.id, public=True), orient.evidence(o.id, public=True, limit=3)) for o in others
    ]
    return render_template("followup/you_said.html", process=process, chains=chains(process), entries=entries)


@bp.get("/p/<slug>/vous-avez-dit", endpoint="you_said")
@bp.get("/p/<slug>/you-said", endpoint="you_said_en")
@public
def you_said(slug: str):
    """The page in the visit's language; its English twin (you_said_en) in English whatever that language."""
    with force_locale("en") if request.endpoint == "followup.you_said_en" else nullcontext():
        return _page(slug)
