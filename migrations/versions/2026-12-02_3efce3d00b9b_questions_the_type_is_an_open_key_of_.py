"""questions: the type is an open key of the question-type registry

questions.type loses its CHECK constraint listing the built-in types: question types are classes registered in
app.questions.registry, and a type added there (one module and its template) needs no migration. The definition,
the XLSForm import and the builder accept registered keys only.

The downgrade puts the constraint back; it fails while a question uses a type that is not built in.

Revision ID: 3efce3d00b9b
Revises: e64eac51145c
Create Date: 2026-12-02 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3efce3d00b9b'
down_revision = 'e64eac51145c'
branch_labels = None
depends_on = None

BUILTIN_TYPES = (
    'short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'rating', 'numeric', 'date', 'ranking',
    'matrix', 'territory', 'email', 'note',
)


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_questions_type'), type_='check')


def downgrade():
    listed = ", ".join(f"'{key}'" for key in BUILTIN_TYPES)
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_questions_type'), sa.text(f"type IN ({listed})"))
