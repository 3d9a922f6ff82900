"""phases: a list the facilitators edit (name in French and English, position), the kind optional

Phases were four fixed kinds (consultation, synthesis, validation, launch), one of each at most. They become a list:
each phase has its own name in French and English and a position (the order of their dates); the kind stays, now
optional and repeatable, for what the app does during a phase (partners contribute during consultation and
synthesis). Existing phases keep their dates and descriptions and get the names the app showed for their kind.

phases is referenced by no other table, so rebuilding it on SQLite loses nothing.

Revision ID: c4a91e0d7f35
Revises: 8b3f6d2c4e17
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a91e0d7f35'
down_revision = '8b3f6d2c4e17'
branch_labels = None
depends_on = None

NAMES = {
    'consultation': ('Consultation', 'Consultation'),
    'synthesis': ('Synthèse', 'Synthesis'),
    'validation': ('Validation (vote)', 'Validation (vote)'),
    'launch': ('Lancement', 'Launch'),
}


def upgrade():
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_phases_process_id_kind'), type_='unique')
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('name_fr', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('name_en', sa.String(length=120), nullable=False, server_default=''))
        batch_op.alter_column('kind', existing_type=sa.String(length=32), nullable=True)
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, process_id, kind FROM phases ORDER BY process_id, starts_on, id')).all()
    positions = {}
    for phase_id, process_id, kind in rows:
        positions[process_id] = positions.get(process_id, 0) + 1
        name_fr, name_en = NAMES.get(kind, ('', ''))
        bind.execute(
            sa.text('UPDATE phases SET position = :position, name_fr = :fr, name_en = :en WHERE id = :id'),
            {'position': positions[process_id], 'fr': name_fr, 'en': name_en, 'id': phase_id},
        )
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.alter_column('position', server_default=None)
        batch_op.alter_column('name_fr', server_default=None)
        batch_op.alter_column('name_en', server_default=None)


def downgrade():
    # Back to one phase per kind: phases without a kind, and all but the first of a kind, are dropped.
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT id, process_id, kind FROM phases ORDER BY process_id, position, id')).all()
    seen = set()
    for phase_id, process_id, kind in rows:
        if kind is None or (process_id, kind) in seen:
            bind.execute(sa.text('DELETE FROM phases WHERE id = :id'), {'id': phase_id})
        seen.add((process_id, kind))
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column('name_en')
        batch_op.drop_column('name_fr')
        batch_op.drop_column('position')
        batch_op.create_unique_constraint(batch_op.f('uq_phases_process_id_kind'), ['process_id', 'kind'])
