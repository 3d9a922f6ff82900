"""themes: names unique per process (case and accents aside); a merge retags every item

themes.name_key holds the compared form of the French name (case-folded, no accents, single spaces), and a partial
unique index allows one active (not merged) theme per process with that key. The upgrade first retags the items of
merged themes with the theme they were merged into (earlier merges kept both tags), then merges the active themes
whose names now collide into the oldest of them (its tags joined, the others point to it), then fills the key.

The downgrade drops the index and the column; the merges it made stay.

Revision ID: 5b1e7c0a9d42
Revises: 8de63f33bc9a
Create Date: 2026-12-02 09:45:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b1e7c0a9d42'
down_revision = '8de63f33bc9a'
branch_labels = None
depends_on = None


def _key(text):
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("’", "'").replace("‘", "'"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _move_tags(connection, source, target):
    connection.execute(
        sa.text(
            "INSERT INTO item_themes (item_id, theme_id) SELECT item_id, :target FROM item_themes "
            "WHERE theme_id = :source AND item_id NOT IN (SELECT item_id FROM item_themes WHERE theme_id = :target)"
        ),
        {"source": source, "target": target},
    )
    connection.execute(sa.text("DELETE FROM item_themes WHERE theme_id = :source"), {"source": source})


def upgrade():
    # No batch (table copy) on SQLite: copying "themes" with foreign keys on would empty the self-reference
    # merged_into_id of the copies when the old table is dropped. ADD COLUMN ... NOT NULL DEFAULT '' and CREATE
    # INDEX are native on both databases; PostgreSQL then drops the default (the models have none).
    op.add_column('themes', sa.Column('name_key', sa.String(length=200), nullable=False, server_default=sa.text("''")))

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, process_id, name_fr, merged_into_id FROM themes ORDER BY id")).all()
    merged_into = {row.id: row.merged_into_id for row in rows}

    def final(theme_id):
        seen = set()
        while merged_into.get(theme_id) is not None and theme_id not in seen:
            seen.add(theme_id)
            theme_id = merged_into[theme_id]
        return theme_id

    for row in rows:
        if row.merged_into_id is not None:
            _move_tags(connection, row.id, final(row.id))
    first_of = {}
    for row in rows:
        connection.execute(sa.text("UPDATE themes SET name_key = :key WHERE id = :id"), {"key": _key(row.name_fr), "id": row.id})
        if row.merged_into_id is not None:
            continue
        slot = (row.process_id, _key(row.name_fr))
        if slot in first_of:
            _move_tags(connection, row.id, first_of[slot])
            connection.execute(
                sa.text("UPDATE themes SET merged_into_id = :target WHERE id = :id"), {"target": first_of[slot], "id": row.id}
            )
        else:
            first_of[slot] = row.id

    if connection.dialect.name == 'postgresql':
        op.alter_column('themes', 'name_key', server_default=None)
    op.create_index(
        'uq_themes_process_name_key',
        'themes',
        ['process_id', 'name_key'],
        unique=True,
        sqlite_where=sa.text('merged_into_id IS NULL'),
        postgresql_where=sa.text('merged_into_id IS NULL'),
    )


def downgrade():
    op.drop_index('uq_themes_process_name_key', table_name='themes')
    # ALTER TABLE ... DROP COLUMN is native on PostgreSQL and on SQLite 3.35+ (no table copy, see the upgrade).
    op.execute('ALTER TABLE themes DROP COLUMN name_key')
