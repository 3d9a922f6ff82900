"""Set-up step of the load benchmark, run in its own process with the server's environment (see bench_load.py).

    BENCH_FLOOR=1 CONCERTO_CONFIG=production DATABASE_URL=... SECRET_KEY=... python -m bench.load_setup N_PARTNERS

After ``flask db upgrade``, ``seed-demo`` and ``import-form`` (run by bench_load.py through the CLI): creates the
floor's table, ``N_PARTNERS`` partner accounts sharing one bench password, and an open ranking ballot of 10
options in the demo process. Prints a JSON document: the ballot id, its option ids, the partners' e-mails and
password.
"""

from __future__ import annotations

import json
import secrets
import sys

from bench.floor_app import app, create_floor_table

BALLOT_OPTIONS = 10


def setup(n_partners: int) -> dict:
    from app.core.extensions import db
    from app.devdata.demo import PROCESS_SLUG
    from app.models import (
        Ballot,
        BallotOption,
        Eligibility,
        Organization,
        Process,
        ResultsVisibility,
        Role,
        User,
        VotingMethod,
    )

    with app.app_context():
        with db.engine.begin() as connection:
            create_floor_table(connection)
        process = db.session.execute(db.select(Process).filter_by(slug=PROCESS_SLUG)).scalar_one()
        organizations = list(db.session.execute(db.select(Organization).order_by(Organization.id)).scalars())
        password = secrets.token_urlsafe(16)
        model = User(email="x@example.org", name="x", role=Role.PARTNER)
        model.set_password(
            password
        )  # one hash for all: the sign-ins check it, the set-up need not compute it 100 times
        emails = []
        for i in range(n_partners):
            email = f"partenaire-banc-{i:03d}@bench.concerto.example"
            db.session.add(
                User(
                    email=email,
                    name=f"Partenaire banc {i:03d}",
                    role=Role.PARTNER,
                    organization=organizations[i % len(organizations)] if organizations else None,
                    password_hash=model.password_hash,
                )
            )
            emails.append(email)
        ballot = Ballot(
            process=process,
            question_fr="Assemblée : priorités régionales (banc d’essai)",
            question_en="Assembly: regional priorities (benchmark)",
            method=VotingMethod.RANKING,
            settings={},
            eligibility=Eligibility.ALL_PARTNERS,
            results_visibility=ResultsVisibility.AFTER_CLOSE,
            secret=True,
        )
        for position in range(1, BALLOT_OPTIONS + 1):
            ballot.options.append(
                BallotOption(
                    position=position, label_fr=f"Priorité {position:02d}", label_en=f"Priority {position:02d}"
                )
            )
        db.session.add(ballot)
        db.session.flush()
        ballot.open()
        db.session.commit()
        return {
            "ballot_id": ballot.id,
            "option_ids": [o.id for o in ballot.options],
            "emails": emails,
            "password": password,
        }


if __name__ == "__main__":
    json.dump(setup(int(sys.argv[1])), sys.stdout)
