"""survey structure key: what the respondent pages' cache of a survey is checked against

Revision ID: e5a7c2d9f104
Revises: c94b1a601c9e
Create Date: 2026-11-22 20:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7c2d9f104'
down_revision = 'c94b1a601c9e'
branch_labels = None
depends_on = None


def upgrade():
    # Existing surveys start with the same key: the cache is keyed by (survey id, key), and ids are unique.
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('structure_key', sa.String(length=32), nullable=False, server_default='initial'))
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.alter_column('structure_key', server_default=None)


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('structure_key')
