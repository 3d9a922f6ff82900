"""respondent privacy: digests of submission keys, no invitation address outside identified surveys, no completed confidential response linked to its invitation

Revision ID: 6cca87b7319a
Revises: e30f18b10d4b
Create Date: 2026-12-02 05:50:00.000000

A data migration (the tables do not change), bringing existing rows to what the code now writes:

- ``submission_keys.key`` holds the SHA-256 digest of the key (a clear start key, with the secret key, gave the
  resume token, hence the invitation's claim);
- invitations of anonymous and confidential surveys keep no address;
- complete responses of confidential surveys keep no link to their invitation;
- an invitation is used from the start of its response and keeps only the day (``used_at`` truncated; claimed
  invitations still unused become used today).

It cannot be undone: the addresses, links and clear keys are gone (the downgrade leaves the data as it is).
"""
import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '6cca87b7319a'
down_revision = 'e30f18b10d4b'
branch_labels = None
depends_on = None

BATCH = 1000

surveys = sa.table("surveys", sa.column("id", sa.Integer), sa.column("anonymity", sa.String))
invitations = sa.table(
    "invitations",
    sa.column("id", sa.Integer),
    sa.column("survey_id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("claim_hash", sa.String),
    sa.column("used_at", sa.DateTime(timezone=True)),
)
responses = sa.table(
    "responses",
    sa.column("id", sa.Integer),
    sa.column("survey_id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("invitation_id", sa.Integer),
)
submission_keys = sa.table("submission_keys", sa.column("key", sa.String))


def _in_batches(rows):
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def upgrade():
    connection = op.get_bind()
    not_identified = sa.select(surveys.c.id).where(surveys.c.anonymity != "identified")
    confidential = sa.select(surveys.c.id).where(surveys.c.anonymity == "confidential")
    connection.execute(
        invitations.update()
        .where(invitations.c.survey_id.in_(not_identified), invitations.c.email.is_not(None))
        .values(email=None)
    )
    connection.execute(
        responses.update()
        .where(
            responses.c.survey_id.in_(confidential),
            responses.c.status == "complete",
            responses.c.invitation_id.is_not(None),
        )
        .values(invitation_id=None)
    )

    sqlite = connection.dialect.name == "sqlite"
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    used = connection.execute(
        sa.select(invitations.c.id, invitations.c.used_at).where(
            sa.or_(invitations.c.used_at.is_not(None), invitations.c.claim_hash.is_not(None))
        )
    ).all()
    days = []
    for invitation_id, used_at in used:
        day = today
        if used_at is not None:
            moment = used_at.replace(tzinfo=UTC) if used_at.tzinfo is None else used_at.astimezone(UTC)
            day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        days.append({"invitation": invitation_id, "day": day.replace(tzinfo=None) if sqlite else day})
    statement = (
        invitations.update().where(invitations.c.id == sa.bindparam("invitation")).values(used_at=sa.bindparam("day"))
    )
    for batch in _in_batches(days):
        connection.execute(statement, batch)

    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("UPDATE submission_keys SET key = encode(sha256(convert_to(key, 'UTF8')), 'hex')"))
    else:
        keys = [row[0] for row in connection.execute(sa.select(submission_keys.c.key))]
        statement = (
            submission_keys.update()
            .where(submission_keys.c.key == sa.bindparam("clear"))
            .values(key=sa.bindparam("hashed"))
        )
        for batch in _in_batches(keys):
            connection.execute(
                statement, [{"clear": key, "hashed": hashlib.sha256(key.encode()).hexdigest()} for key in batch]
            )


def downgrade():
    # The addresses, links and clear keys are gone for good: nothing to restore.
    pass
