"""The live room (app/events/live.py): the facilitator's controls, the projector page and the phones."""

import secrets

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required, public
from app.builder.qr import qr_svg
from app.compliance import audit
from app.core.extensions import db, limiter
from app.core.queries import rows_where
from app.events import bp, live
from app.models import Ballot, BallotStatus, Event, LiveRoom, RoomMode, utcnow
from app.voting import ballots as voting
from app.voting.forms import field_name, read_choices
from app.voting.results import compute_results
from app.voting.tally import GRADE_LABELS
from app.web.fields import AnsweringForm, EmptyForm
from app.web.forms import attempt, button, submitted
from app.web.urls import external_url

DEVICE_COOKIE = "concerto_room_device"
POLL_SECONDS = 3
REFRESH_SECONDS = 5  # the projector without JavaScript


def _room_or_404(code: str) -> LiveRoom:
    room = live.find_room(code)
    if room is None:
        abort(404)
    return room


def _unknown_room(code: str, status: int):
    return render_template("events/live_join.html", code=code, problem=status, form=EmptyForm()), status


def _live_room(code: str, now) -> tuple[LiveRoom, Ballot]:
    """The room of ``code`` and its ballot, if the room is live at ``now``; otherwise the page that says there is no
    such room (404) or that it has ended (410) answers the request."""
    room = live.find_room(code)
    if room is None:
        abort(make_response(_unknown_room(code, 404)))
    if not room.is_live(now):
        abort(make_response(_unknown_room(code, 410)))
    return room, db.session.get(Ballot, room.ballot_id)


def open_ballots(process_id: int) -> list[Ballot]:
    return rows_where(Ballot, Ballot.process_id == process_id, Ballot.status == BallotStatus.OPEN, order_by=Ballot.id)


@bp.post("/events/<int:event_id>/live")
@facilitator_required
def open_live_room(event_id: int):
    event = db.get_or_404(Event, event_id)
    if not submitted():
        return redirect(url_for(".show_event", event_id=event.id))
    ballot = db.session.get(Ballot, request.form.get("ballot_id", type=int) or 0)
    mode = request.form.get("mode", RoomMode.PARTNERS.value)
    if ballot is None or mode not in {m.value for m in RoomMode}:
        flash(_("Choose an open vote and how people vote."), "error")
        return redirect(url_for(".show_event", event_id=event.id) + "#live-title")
    with attempt() as done:
        room = live.open_room(current_user, event, ballot, RoomMode(mode))
        audit.record(current_user, "open_live_room", room, ballot=ballot.id, mode=mode)
    if not done:
        return redirect(url_for(".show_event", event_id=event.id) + "#live-title")
    return redirect(url_for(".control_room", code=room.code))


@bp.get("/live/<code>/control")
@facilitator_required
def control_room(code: str):
    room = _room_or_404(code)
    ballot = db.session.get(Ballot, room.ballot_id)
    return render_template(
        "events/live_control.html",
        room=room,
        ballot=ballot,
        status=live.status(room, ballot),
        join_url=external_url("events.room_vote", code=room.code),
        form=EmptyForm(),
    )


def _room_button(code: str, audit_name: str, action, success: str):
    """A facilitator's button on the room's controls: ``action(room)``, recorded in the audit trail."""
    room = _room_or_404(code)

    def act() -> None:
        action(room)
        audit.record(current_user, audit_name, room)

    button(act, success=success)
    return redirect(url_for(".control_room", code=room.code))


@bp.post("/live/<code>/reveal")
@facilitator_required
def reveal_room(code: str):
    return _room_button(
        code,
        "reveal_live_room",
        lambda room: live.reveal(current_user, room, db.session.get(Ballot, room.ballot_id)),
        _("The vote is closed and its results are on the projector."),
    )


@bp.post("/live/<code>/end")
@facilitator_required
def end_room(code: str):
    return _room_button(code, "end_live_room", live.end_room, _("The room has ended: its code no longer works."))


@bp.get("/live/<code>")
@public
def projector(code: str):
    now = utcnow()
    room, ballot = _live_room(code, now)
    state = live.status(room, ballot, now)
    join_url = external_url("events.room_vote", code=room.code)
    results = compute_results(ballot) if state.revealed and ballot.is_over else None
    return render_template(
        "events/live_projector.html",
        room=room,
        ballot=ballot,
        status=state,
        join_url=join_url,
        join_short=external_url("events.join_room"),
        qr=qr_svg(join_url, _("Join the vote")).decode(),
        results=results,
        grade_labels=[str(text) for text in GRADE_LABELS[: ballot.grades]],
        percent=lambda value: "—" if value is None else format_percent(value),
        poll_seconds=POLL_SECONDS,
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.get("/live/<code>/status")
@public
def room_status(code: str):
    room = live.find_room(code)
    if room is None:
        return jsonify({"error": "unknown"}), 404
    ballot = db.session.get(Ballot, room.ballot_id)
    response = jsonify(live.status(room, ballot).as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/live", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LIVE_JOIN_RATE_LIMIT"], methods=["POST"])
def join_room():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        room, _ballot = _live_room(request.form.get("code", ""), utcnow())
        return redirect(url_for(".room_vote", code=room.code), 303)
    return render_template("events/live_join.html", code="", problem=None, form=form)


def _device_key() -> str | None:
    value = request.cookies.get(DEVICE_COOKIE, "")
    return value if 20 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum() else None


def _phone_page(room: LiveRoom, ballot: Ballot, *, filled=None, errors=(), receipt=None, status=200, key=None):
    by_option: dict[int, list[str]] = {}
    general: list[str] = []
    for error in errors:
        (by_option.setdefault(error.option_id, []) if error.option_id is not None else general).append(
            str(error.message)
        )
    page = render_template(
        "events/live_vote.html",
        room=room,
        ballot=ballot,
        can_vote=ballot.accepts_casts(utcnow()),
        not_open_message=voting.closed_message(ballot, utcnow()),
        filled=filled or {},
        option_errors=by_option,
        general_errors=general,
        has_errors=bool(errors),
        receipt=receipt,
        field_name=field_name,
        grade_labels=list(enumerate(str(text) for text in GRADE_LABELS[: ballot.grades])),
        form=AnsweringForm(),
    )
    response = make_response(page, status)
    if key is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            key,
            max_age=live.ROOM_HOURS * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        )
    return response


@bp.route("/live/<code>/vote", methods=["GET", "POST"])
@public
def room_vote(code: str):
    now = utcnow()
    room, ballot = _live_room(code, now)
    if room.mode is RoomMode.PARTNERS:
        return redirect(url_for("voting.show_ballot", ballot_id=ballot.id))
    key = _device_key()
    new_key = None
    if key is None:
        key = new_key = secrets.token_urlsafe(24)
    if request.method == "GET":
        return _phone_page(room, ballot, key=new_key)
    choices, read_errors, filled = read_choices(ballot, request.form)
    if not AnsweringForm().validate():
        return _phone_page(
            room,
            ballot,
            filled=filled,
            errors=[voting.ChoiceError(None, _("The page had expired. Send it again."))],
            status=400,
            key=new_key,
        )
    errors = [
        *read_errors,
        *(e for e in voting.check_choices(ballot, choices) if e.option_id not in {r.option_id for r in read_errors}),
    ]
    if errors:
        return _phone_page(room, ballot, filled=filled, errors=errors, status=422, key=new_key)
    try:
        receipt = live.cast(room, ballot, key, choices, now)
    except voting.InvalidBallot as error:
        db.session.rollback()
        return _phone_page(room, ballot, filled=filled, errors=error.errors, status=422, key=new_key)
    except (voting.NotAcceptingCasts, live.RoomError) as error:
        db.session.rollback()
        return _phone_page(
            room, ballot, filled=filled, errors=[voting.ChoiceError(None, error.message)], status=409, key=new_key
        )
    return _phone_page(room, ballot, receipt=str(receipt), key=new_key)
