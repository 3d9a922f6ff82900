"""Set-up of the live-room benchmark (run in the app's environment, after seed-demo): an open approval ballot of
5 options in the demo process and a room open on it, anonymous one vote per phone, in the demo's assembly.

    python -m bench.live_room_setup N      # prints {"rooms": [{"code": …, "ballot_id": …, "options": [...]}, …]}
"""

import json
import sys

import sqlalchemy as sa


def setup(rooms: int) -> dict:
    from app import create_app
    from app.core.extensions import db
    from app.devdata.demo import PROCESS_SLUG
    from app.events import live
    from app.models import Ballot, BallotOption, Event, Process, Role, RoomMode, User, VotingMethod

    app = create_app()
    with app.app_context():
        process = db.session.scalar(sa.select(Process).filter_by(slug=PROCESS_SLUG))
        assembly = db.session.scalar(sa.select(Event).where(Event.process_id == process.id, Event.kind == "assembly"))
        facilitator = db.session.scalar(sa.select(User).where(User.role == Role.FACILITATOR).limit(1))
        out = []
        for number in range(rooms):
            ballot = Ballot(
                process_id=process.id,
                question_fr=f"Vote en salle {number + 1}",
                method=VotingMethod.APPROVAL,
                settings={"max_choices": 2},
            )
            for position in range(5):
                ballot.options.append(BallotOption(position=position, label_fr=f"Priorité {position + 1}"))
            db.session.add(ballot)
            db.session.flush()
            ballot.open()
            room = live.open_room(facilitator, assembly, ballot, RoomMode.DEVICE)
            out.append({"code": room.code, "ballot_id": ballot.id, "options": [o.id for o in ballot.options]})
        db.session.commit()
        return {"rooms": out}


if __name__ == "__main__":
    print(json.dumps(setup(int(sys.argv[1]))))
