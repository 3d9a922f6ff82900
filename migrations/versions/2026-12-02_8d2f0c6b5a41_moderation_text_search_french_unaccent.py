"""moderation queue: French full-text search with unaccent on a GIN index (PostgreSQL only)

Revision ID: 8d2f0c6b5a41
Revises: 1719bfcf92eb
Create Date: 2026-12-02 09:30:00

"""

from alembic import op

# unaccent is a trusted extension: the owner of the database may create it.
TEXT_SEARCH_SETUP = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'concerto_fr') THEN
            CREATE TEXT SEARCH CONFIGURATION concerto_fr (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION concerto_fr
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$""",
)

# revision identifiers, used by Alembic.
revision = "8d2f0c6b5a41"
down_revision = "1719bfcf92eb"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite searches with LIKE (app/moderation/search.py)
    for statement in TEXT_SEARCH_SETUP:
        op.execute(statement)
    op.execute(
        "CREATE INDEX ix_moderation_items_text_search ON moderation_items "
        "USING gin (to_tsvector('concerto_fr'::regconfig, text))"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_moderation_items_text_search")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS concerto_fr")
