"""sign-in sessions kept on the server; account tokens tied to the session version

Revision ID: e64eac51145c
Revises: 6cca87b7319a
Create Date: 2026-12-02 05:32:57.132724

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e64eac51145c'
down_revision = '6cca87b7319a'
branch_labels = None
depends_on = None


def upgrade():
    # One row per sign-in (device); the browser holds the random key, the table its SHA-256. Sessions signed in
    # before this revision carried "user id:version" and end: everyone signs in once more.
    op.create_table('sign_in_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_sign_in_sessions_key_hash'))
    )
    with op.batch_alter_table('sign_in_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_sessions_user_id'), ['user_id'], unique=False)

    # Links already sent keep working until the account's password changes: they take the user's current version.
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=True))
    op.execute(
        'UPDATE account_tokens SET session_version = '
        '(SELECT users.session_version FROM users WHERE users.id = account_tokens.user_id)'
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.alter_column('session_version', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_column('session_version')

    with op.batch_alter_table('sign_in_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_sessions_user_id'))

    op.drop_table('sign_in_sessions')
