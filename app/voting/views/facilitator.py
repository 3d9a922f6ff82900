"""Facilitators managing ballots: the ballots of every process, of one process, one ballot's page (casts, voters,
paper imports, adopted options) and its status: open, close, publish, delete a draft."""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import facilitator_required
from app.core.extensions import db
from app.models import IllegalTransition, Process
from app.voting import ballots as domain
from app.voting import bp, overview
from app.voting.export import tally_method_name
from app.voting.forms import AdoptForm
from app.voting.views.common import load_ballot
from app.web.fields import EmptyForm, choices
from app.web.forms import action_routes, button
from app.web.i18n import localized


@bp.get("/manage/ballots")
@facilitator_required
def manage_overview():
    processes = db.session.execute(sa.select(Process).order_by(Process.created_at.desc())).scalars().all()
    return render_template("voting/manage_overview.html", processes=processes, counts=overview.ballots_per_process())


@bp.get("/manage/processes/<int:process_id>/ballots")
@facilitator_required
def manage_process_ballots(process_id: int):
    process = db.get_or_404(Process, process_id)
    ballots, casts = overview.process_ballots(process)
    return render_template("voting/manage_process.html", process=process, ballots=ballots, casts=casts)


def _adopt_form(ballot, **data) -> AdoptForm:
    form = AdoptForm(**data)
    form.option_ids.choices = choices((o.id, localized(o, "label")) for o in ballot.options)
    return form


@bp.get("/manage/ballots/<int:ballot_id>")
@facilitator_required
def manage_ballot(ballot_id: int):
    ballot = load_ballot(ballot_id)
    return render_template(
        "voting/manage_ballot.html",
        ballot=ballot,
        casts=overview.cast_count(ballot),
        voters=overview.voter_names(ballot),
        voter_count=overview.voter_count(ballot),
        imports=overview.paper_imports(ballot),
        adopt_form=_adopt_form(ballot, option_ids=[o.id for o in ballot.options if o.adopted]),
        form=EmptyForm(),
        tally_method=tally_method_name(ballot),
    )


def _transition(action, success, ballot_id: int):
    ballot = load_ballot(ballot_id)
    refused = _("This change is not possible from the ballot's current status.")
    button(partial(action, current_user, ballot), success=success, wording={IllegalTransition: refused})
    return redirect(url_for(".manage_ballot", ballot_id=ballot.id))


action_routes(
    bp,
    "/manage/ballots/<int:ballot_id>/{}",
    facilitator_required,
    _transition,
    {
        "open_ballot": ("open", domain.open_ballot, _l("The ballot is open: eligible voters can vote.")),
        "close_ballot": (
            "close",
            domain.close_ballot,
            _l("The vote is closed; the ballots are sealed and can be counted."),
        ),
        "publish_results": (
            "publish",
            domain.publish_results,
            _l("The results and the list of counted ballots are published to the voters."),
        ),
    },
)


@bp.post("/manage/ballots/<int:ballot_id>/delete")
@facilitator_required
def delete_ballot(ballot_id: int):
    ballot = load_ballot(ballot_id)
    process_id = ballot.process_id
    if button(partial(domain.delete_draft, current_user, ballot), success=_("Draft ballot deleted.")):
        return redirect(url_for(".manage_process_ballots", process_id=process_id))
    return redirect(url_for(".manage_ballot", ballot_id=ballot_id))


@bp.post("/manage/ballots/<int:ballot_id>/adopt")
@facilitator_required
def adopt_options(ballot_id: int):
    ballot = load_ballot(ballot_id)
    form = _adopt_form(ballot)
    button(
        lambda: domain.adopt_options(current_user, ballot, form.option_ids.data or []),
        form=form,
        otherwise=_("Choose among the options of this ballot."),
        success=_("Adopted options recorded."),
    )
    return redirect(url_for(".manage_ballot", ballot_id=ballot.id))
