"""invitations: reminders (when, and the digest of the reminder's link)

An invitation of an identified survey (the only ones that keep an address) can be reminded once: reminded_at says
when, reminder_token_hash holds the SHA-256 digest of the new link the reminder carried (the first link's clear
token is never stored, so the reminder cannot repeat it; both links open the same invitation).

Plain ADD COLUMN and a unique index, no table rebuild: on SQLite a rebuild of invitations would set the
responses' invitation_id to NULL (ON DELETE SET NULL fires when the old table is dropped).

Revision ID: 5d1c0a7e9b21
Revises: 5b1e7c0a9d42
Create Date: 2026-12-02 09:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0a7e9b21'
down_revision = '5b1e7c0a9d42'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('invitations', sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('invitations', sa.Column('reminder_token_hash', sa.String(length=64), nullable=True))
    op.create_index(
        op.f('ix_invitations_reminder_token_hash'), 'invitations', ['reminder_token_hash'], unique=True
    )


def downgrade():
    op.drop_index(op.f('ix_invitations_reminder_token_hash'), table_name='invitations')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('reminder_token_hash')
        batch_op.drop_column('reminded_at')
