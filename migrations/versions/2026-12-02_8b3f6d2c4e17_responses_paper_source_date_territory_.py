"""responses: where a paper questionnaire was filled in (workshop or event label, day, territory)

Three nullable columns. On SQLite the territory's foreign key needs a rebuild of the responses table, done with
foreign keys off: dropping the old table with them on would fire ON DELETE CASCADE and take the answers with it.

Revision ID: 8b3f6d2c4e17
Revises: 5d1c0a7e9b21
Create Date: 2026-12-02 09:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b3f6d2c4e17'
down_revision = '5d1c0a7e9b21'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite' and bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        # SQLite adds a foreign key only by rebuilding the table, and dropping the old responses table with foreign
        # keys on would fire ON DELETE on the answers (CASCADE) and elsewhere. migrations/env.py turns them off for
        # the whole run on SQLite (and checks them afterwards): refuse rather than lose answers if they are on.
        raise RuntimeError('foreign keys are on; the responses table was not rebuilt')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        _add(batch_op)


def _add(batch_op):
    batch_op.add_column(sa.Column('paper_source', sa.String(length=200), nullable=True))
    batch_op.add_column(sa.Column('paper_filled_on', sa.Date(), nullable=True))
    batch_op.add_column(sa.Column('paper_territory_id', sa.Integer(), nullable=True))
    batch_op.create_foreign_key(
        batch_op.f('fk_responses_paper_territory_id_territories'),
        'territories',
        ['paper_territory_id'],
        ['id'],
        ondelete='SET NULL',
    )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_responses_paper_territory_id_territories'), 'responses', type_='foreignkey')
    # SQLite (3.35+) drops a plain column in place; the inline reference goes with it.
    op.drop_column('responses', 'paper_territory_id')
    op.drop_column('responses', 'paper_filled_on')
    op.drop_column('responses', 'paper_source')
