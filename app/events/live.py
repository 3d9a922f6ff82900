"""The live room: a ballot opened "in the room" of an assembly or a workshop.

A facilitator opens a room on an open ballot of the event's process: it gets a short code (six letters and digits,
no look-alikes) valid ``ROOM_HOURS`` hours. The projector page (/live/<code>) shows a large QR code, the code, the
turnout (how many ballots are counted, never what, never who, never per group) and, once the facilitator reveals
them, the results of the closed vote (the same figures, explanations and secrecy rules as the results page). Phones
join with the code.

Two ways to vote, chosen by the facilitator when opening the room (:class:`app.models.RoomMode`):

- ``partners``: partners sign in and vote on the usual ballot page. One vote per person (or per organization, as
  the ballot says); the voter roll knows who voted, never what.
- ``device``: anyone in the room votes without an account; each phone gets a random key in a cookie and its last
  vote counts (the cast's pseudonym derives from that key, erased at the close). Nobody is named. The trade-off:
  a person with two phones, or who clears the cookie or opens a private window, can vote twice; the facilitator
  can compare the turnout with the people in the room. Use it for a public workshop, not for a decision that
  binds the partners.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.extensions import db
from app.models import Ballot, Cast, Event, LiveRoom, RoomMode, User, utcnow
from app.voting import ballots as voting

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
CODE_LENGTH = 6
ROOM_HOURS = 12


class RoomError(DomainError):
    pass


@dataclass(frozen=True)
class RoomStatus:
    turnout: int
    open: bool  # the vote accepts ballots
    revealed: bool
    live: bool  # the room has not ended nor expired

    def as_json(self) -> dict:
        return {"turnout": self.turnout, "open": self.open, "revealed": self.revealed, "live": self.live}


def normalize_code(text: str | None) -> str:
    return "".join(c for c in (text or "").upper() if c.isalnum())[: CODE_LENGTH + 4]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def find_room(code: str | None) -> LiveRoom | None:
    code = normalize_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return db.session.scalar(sa.select(LiveRoom).where(LiveRoom.code == code))


def open_room(actor: User, event: Event, ballot: Ballot, mode: RoomMode, now: datetime | None = None) -> LiveRoom:
    """A new room for ``ballot`` (an open ballot of the event's process)."""
    now = now or utcnow()
    if ballot.process_id != event.process_id:
        raise RoomError(_l("Choose a vote of this process."), "ballot_id")
    if not ballot.accepts_casts(now):
        raise RoomError(_l("Open the vote first: a room shows a vote that accepts ballots."), "ballot_id")
    for _attempt in range(10):
        code = new_code()
        if db.session.scalar(sa.select(LiveRoom.id).where(LiveRoom.code == code)) is None:
            break
    room = LiveRoom(
        code=code,
        ballot_id=ballot.id,
        event_id=event.id,
        mode=RoomMode(mode),
        opened_by_id=actor.id,
        opened_at=now,
        expires_at=now + timedelta(hours=ROOM_HOURS),
    )
    db.session.add(room)
    db.session.flush()
    return room


def turnout(ballot_id: int) -> int:
    """Ballots counted (online and paper): a number, nothing about who or what."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Cast).where(Cast.ballot_id == ballot_id)) or 0


def status(room: LiveRoom, ballot: Ballot, now: datetime | None = None) -> RoomStatus:
    now = now or utcnow()
    return RoomStatus(
        turnout=turnout(ballot.id),
        open=ballot.accepts_casts(now),
        revealed=room.revealed_at is not None,
        live=room.is_live(now),
    )


def reveal(actor: User, room: LiveRoom, ballot: Ballot, now: datetime | None = None) -> None:
    """Close the vote (if still open) and show its results on the projector."""
    now = now or utcnow()
    if not room.is_live(now):
        raise RoomError(_l("This room has ended."))
    if ballot.is_open:
        voting.close_ballot(actor, ballot, now)
    room.revealed_at = room.revealed_at or now
    db.session.flush()


def end_room(room: LiveRoom, now: datetime | None = None) -> None:
    room.ended_at = room.ended_at or now or utcnow()
    db.session.flush()


def cast(room: LiveRoom, ballot: Ballot, device_key: str, choices, now: datetime | None = None) -> voting.Receipt:
    """An anonymous phone's vote in a ``device`` room."""
    now = now or utcnow()
    if room.mode is not RoomMode.DEVICE or not room.is_live(now):
        raise RoomError(_l("This room has ended."))
    return voting.cast_room_vote(ballot, device_key, choices, now)
