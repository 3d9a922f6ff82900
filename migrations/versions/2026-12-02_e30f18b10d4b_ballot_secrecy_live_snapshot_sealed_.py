"""ballot secrecy: live snapshot, sealed casts regeneralized, old row versions rewritten away

Revision ID: e30f18b10d4b
Revises: e5a7c2d9f104
Create Date: 2026-12-02 05:50:59.104046

- ``ballots.live_snapshot``: the live results of an open ballot at their last update (they move only once five
  more voters have voted).
- The casts of ballots already closed are generalized again by the rule of app.voting.disclosure: the old rule
  could leave a (no sector, no territory) group of fewer than five casts.
- PostgreSQL: ``VACUUM FULL ballot_casts, ballots`` at the end, outside the migration's transaction, so that the
  old versions of the casts (dead tuples left by the closes, which kept pseudonyms, exact groups and the
  transaction id of each vote) leave the database's pages.
"""
from collections import Counter

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'e30f18b10d4b'
down_revision = 'e5a7c2d9f104'
branch_labels = None
depends_on = None

THRESHOLD = 5
REST = (None, None)

casts = sa.table(
    'ballot_casts',
    sa.column('ballot_id', sa.Integer),
    sa.column('source', sa.String),
    sa.column('sector', sa.String),
    sa.column('territory_id', sa.Integer),
)
ballots = sa.table('ballots', sa.column('id', sa.Integer), sa.column('status', sa.String))


def generalize(counts, k=THRESHOLD):
    """app.voting.disclosure.generalize as of this revision (a migration does not import the application)."""
    mapping = {}
    for key, n in counts.items():
        sector, territory = key
        mapping[key] = key if territory is not None and n >= k else ((sector, None) if sector is not None else REST)

    def sizes():
        found = Counter()
        for key, n in counts.items():
            found[mapping[key]] += n
        return found

    current = sizes()
    for key, published in mapping.items():
        if published != REST and published[1] is None and current[published] < k:
            mapping[key] = REST
    current = sizes()
    if 0 < current[REST] < k:
        others = sorted(
            (n, cell[1] is not None, repr(cell), cell) for cell, n in current.items() if cell != REST and n > 0
        )
        if others:
            smallest = others[0][-1]
            for key, published in mapping.items():
                if published == smallest:
                    mapping[key] = REST
    return mapping


def upgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'live_snapshot',
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                nullable=True,
            )
        )

    connection = op.get_bind()
    closed = connection.execute(sa.select(ballots.c.id).where(ballots.c.status.in_(['closed', 'published']))).scalars()
    for ballot_id in list(closed):
        online = (casts.c.ballot_id == ballot_id) & (casts.c.source == 'online')
        counts = {
            (row[0], row[1]): row[2]
            for row in connection.execute(
                sa.select(casts.c.sector, casts.c.territory_id, sa.func.count())
                .where(online)
                .group_by(casts.c.sector, casts.c.territory_id)
            )
        }
        for (sector, territory), (new_sector, new_territory) in generalize(counts).items():
            if (sector, territory) != (new_sector, new_territory):
                connection.execute(
                    casts.update()
                    .where(
                        online,
                        casts.c.sector.is_not_distinct_from(sector),
                        casts.c.territory_id.is_not_distinct_from(territory),
                    )
                    .values(sector=new_sector, territory_id=new_territory)
                )

    if connection.dialect.name == 'postgresql':
        with op.get_context().autocommit_block():
            op.execute('VACUUM FULL ballot_casts, ballots')


def downgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_column('live_snapshot')
