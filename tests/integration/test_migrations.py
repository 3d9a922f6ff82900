"""Migrations build the schema from nothing, and agree with the models (autogenerate finds no difference)."""

import hashlib
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.core.extensions import db

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def test_upgrade_from_empty_to_head_matches_the_models(fresh_database):
    migration_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
        db.engine.dispose()
    assert differences == []
    assert {t.name for t in db.metadata.sorted_tables} <= tables


def test_upgrade_regeneralizes_the_casts_of_ballots_already_closed(fresh_database):
    """The old rule left a (no sector, no territory) group of one cast in closed ballots: the migration of the new
    rule generalizes them again (5 school casts and a lone one: all six lose their group)."""
    migration_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS, revision="e5a7c2d9f104")
        with db.engine.begin() as connection:
            now = sa.func.current_timestamp()
            connection.execute(sa.text("INSERT INTO territories (id, code, name) VALUES (1, 'T1', 'Coaticook')"))
            connection.execute(
                sa.text(
                    "INSERT INTO processes (id, slug, title_fr, title_en, purpose_fr, purpose_en, status, created_at) "
                    "VALUES (1, 'p', 'P', 'P', '', '', 'active', :now)"
                ),
                {"now": connection.scalar(sa.select(now))},
            )
            for ballot_id, status in ((1, "closed"), (2, "open")):
                connection.execute(
                    sa.text(
                        "INSERT INTO ballots (id, process_id, question_fr, question_en, description_fr, description_en,"
                        " method, settings, status, eligibility, results_visibility, secret, created_at) VALUES "
                        "(:id, 1, 'Q', 'Q', '', '', 'approval', '{}', :status, 'all_partners', 'after_close', true,"
                        " :now)"
                    ),
                    {"id": ballot_id, "status": status, "now": connection.scalar(sa.select(now))},
                )
                for n, (sector, territory) in enumerate([("school", 1)] * 5 + [(None, None)]):
                    connection.execute(
                        sa.text(
                            "INSERT INTO ballot_casts (id, ballot_id, contents, receipt, source, sector, territory_id)"
                            " VALUES (:id, :ballot, '{}', :receipt, 'online', :sector, :territory)"
                        ),
                        {
                            "id": f"{ballot_id}{n:031d}",
                            "ballot": ballot_id,
                            "receipt": f"R{ballot_id}{n}",
                            "sector": sector,
                            "territory": territory,
                        },
                    )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            groups = connection.execute(
                sa.text(
                    "SELECT ballot_id, sector, territory_id, count(*) FROM ballot_casts "
                    "GROUP BY ballot_id, sector, territory_id ORDER BY ballot_id, count(*)"
                )
            ).all()
        db.engine.dispose()
    assert [tuple(row) for row in groups] == [(1, None, None, 6), (2, None, None, 1), (2, "school", 1, 5)]


def test_the_respondent_privacy_migration_forgets_addresses_links_and_clear_keys(fresh_database):
    """Rows written before revision 6cca87b7319a are brought to what the code writes now."""
    migration_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS, revision="e5a7c2d9f104")
        with db.engine.begin() as connection:
            run = connection.execute
            run(
                sa.text(
                    "INSERT INTO processes (id, slug, title_fr, title_en, purpose_fr, purpose_en, status, created_at)"
                    " VALUES (1, 'p', 'P', 'P', '', '', 'active', '2026-01-01 00:00:00')"
                )
            )
            for survey_id, anonymity in ((1, "anonymous"), (2, "confidential"), (3, "identified")):
                run(
                    sa.text(
                        "INSERT INTO surveys (id, process_id, slug, title_fr, title_en, intro_fr, intro_en, privacy_fr,"
                        " privacy_en, anonymity, status, version, structure_key, created_at) VALUES (:id, 1, :slug,"
                        " 'S', 'S', '', '', '', '', :anonymity, 'open', 1, 'k', '2026-01-01 00:00:00')"
                    ),
                    {"id": survey_id, "slug": anonymity, "anonymity": anonymity},
                )
                run(
                    sa.text(
                        "INSERT INTO invitations (id, survey_id, token_hash, attributes, email, created_at, used_at,"
                        " claim_hash) VALUES (:id, :id, :token, '{}', :email, '2026-01-01 00:00:00',"
                        " '2026-03-04 15:16:17', :claim)"
                    ),
                    {
                        "id": survey_id,
                        "token": f"t{survey_id}",
                        "email": f"{anonymity}@example.org",
                        "claim": f"c{survey_id}",
                    },
                )
                run(
                    sa.text(
                        "INSERT INTO responses (id, survey_id, survey_version, status, channel, locale, started_at,"
                        " submitted_at, current_page, attributes, invitation_id) VALUES (:id, :id, 1, 'complete',"
                        " 'web', 'fr_CA', '2026-03-04 15:00:00', '2026-03-04 15:16:17', 0, '{}', :invitation)"
                    ),
                    {"id": survey_id, "invitation": None if anonymity == "anonymous" else survey_id},
                )
            run(
                sa.text(
                    "INSERT INTO submission_keys (key, response_id, created_at) VALUES ('cle-claire-0000000000', 1,"
                    " '2026-03-04 15:00:00')"
                )
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            emails = connection.execute(sa.text("SELECT survey_id, email FROM invitations ORDER BY id")).all()
            links = connection.execute(sa.text("SELECT id, invitation_id FROM responses ORDER BY id")).all()
            keys = connection.execute(sa.text("SELECT key FROM submission_keys")).scalars().all()
            days = connection.execute(sa.text("SELECT used_at FROM invitations")).scalars().all()
        db.engine.dispose()
    assert emails == [(1, None), (2, None), (3, "identified@example.org")]
    assert links == [(1, None), (2, None), (3, 3)]
    assert keys == [hashlib.sha256(b"cle-claire-0000000000").hexdigest()]
    assert {str(day)[:19] for day in days} == {"2026-03-04 00:00:00"}


def test_the_events_migration_keeps_evidence_and_accepts_event_items(fresh_database):
    """8de63f33bc9a rebuilds moderation_items on SQLite (its source check gains 'event'): the evidence of an
    orientation and the invitation of a response, which point at rebuilt tables, are kept."""
    migration_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS, revision="3efce3d00b9b")
        with db.engine.begin() as connection:
            run = connection.execute
            run(
                sa.text(
                    "INSERT INTO processes (id, slug, title_fr, title_en, purpose_fr, purpose_en, status, created_at)"
                    " VALUES (1, 'p', 'P', 'P', '', '', 'active', '2026-01-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO moderation_items (id, process_id, source, language, text, pii_spans, flagged, state,"
                    " version, created_at) VALUES (1, 1, 'contribution', 'fr', 'Idée', '[]', false, 'approved', 1,"
                    " '2026-01-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO orientations (id, process_id, title_fr, title_en, statement_fr, statement_en,"
                    " rationale_fr, rationale_en, state, created_at, updated_at) VALUES (1, 1, 'O', '', '', '', '',"
                    " '', 'draft', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO orientation_evidence (orientation_id, item_id, chosen_as_quote, added_at)"
                    " VALUES (1, 1, false, '2026-01-01 00:00:00')"
                )
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as connection:
            evidence = connection.execute(sa.text("SELECT item_id FROM orientation_evidence")).scalars().all()
            connection.execute(
                sa.text(
                    "INSERT INTO events (id, process_id, kind, title_fr, title_en, starts_at, scope, summary_fr,"
                    " summary_en, created_at, updated_at) VALUES (1, 1, 'workshop', 'Atelier', '', "
                    " '2026-03-01 00:00:00', 'regional', '', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO moderation_items (id, process_id, source, event_id, language, text, pii_spans,"
                    " flagged, state, version, created_at) VALUES (2, 1, 'event', 1, 'fr', 'Idée', '[]', false,"
                    " 'pending', 1, '2026-01-01 00:00:00')"
                )
            )
            sources = connection.execute(sa.text("SELECT source FROM moderation_items ORDER BY id")).scalars().all()
        db.engine.dispose()
    assert evidence == [1]
    assert sources == ["contribution", "event"]


def test_the_theme_names_migration_merges_duplicates_and_retags_merged_themes(fresh_database):
    """Issue 15: two active themes of a process whose names differ only by case and accents become one (the oldest
    keeps them); the items of a theme merged earlier carry the theme it joined, not the merged-away one."""
    migration_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS, revision="8de63f33bc9a")
        with db.engine.begin() as connection:
            now = connection.scalar(sa.select(sa.func.current_timestamp()))
            connection.execute(
                sa.text(
                    "INSERT INTO processes (id, slug, title_fr, title_en, purpose_fr, purpose_en, status, created_at) "
                    "VALUES (1, 'p', 'P', 'P', '', '', 'active', :now)"
                ),
                {"now": now},
            )
            for theme_id, name, merged_into in (
                (1, "Éducation", None),
                (2, "education ", None),
                (4, "Transport", None),
                (3, "Autobus", 4),
            ):
                connection.execute(
                    sa.text(
                        "INSERT INTO themes (id, process_id, name_fr, name_en, description_fr, description_en,"
                        " merged_into_id, created_at) VALUES (:id, 1, :name, '', '', '', :merged, :now)"
                    ),
                    {"id": theme_id, "name": name, "merged": merged_into, "now": now},
                )
            connection.execute(
                sa.text(
                    "INSERT INTO moderation_items (id, process_id, source, language, text, pii_spans, flagged, state,"
                    " version, created_at) VALUES (1, 1, 'answer', 'fr', 'texte', '[]', false, 'approved', 1, :now)"
                ),
                {"now": now},
            )
            for theme_id in (2, 3):
                connection.execute(
                    sa.text("INSERT INTO item_themes (item_id, theme_id) VALUES (1, :t)"), {"t": theme_id}
                )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            themes = connection.execute(sa.text("SELECT id, name_key, merged_into_id FROM themes ORDER BY id")).all()
            tags = connection.scalars(sa.text("SELECT theme_id FROM item_themes WHERE item_id = 1 ORDER BY theme_id"))
            tags = list(tags)
        db.engine.dispose()
    assert [tuple(row) for row in themes] == [
        (1, "education", None),
        (2, "education", 1),
        (3, "autobus", 4),
        (4, "transport", None),
    ]
    assert tags == [1, 4]


def test_the_paper_source_migration_keeps_every_answer_and_invitation_link(fresh_database):
    """Adding columns to responses must not rebuild it in a way that fires ON DELETE (answers, invitation links)."""
    migration_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS, revision="5d1c0a7e9b21")
        with db.engine.begin() as connection:
            run = connection.execute
            run(
                sa.text(
                    "INSERT INTO processes (id, slug, title_fr, title_en, purpose_fr, purpose_en, status, created_at)"
                    " VALUES (1, 'p', 'P', 'P', '', '', 'active', '2026-01-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO surveys (id, process_id, slug, title_fr, title_en, intro_fr, intro_en, privacy_fr,"
                    " privacy_en, anonymity, status, version, structure_key, created_at) VALUES (1, 1, 's',"
                    " 'S', 'S', '', '', '', '', 'identified', 'open', 1, 'k', '2026-01-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO survey_pages (id, survey_id, position, title_fr, title_en, intro_fr, intro_en,"
                    " relevant) VALUES (1, 1, 0, '', '', '', '', '')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO questions (id, page_id, survey_id, position, code, type, label_fr, label_en, help_fr,"
                    ' help_en, required, relevant, "constraint", constraint_message_fr, constraint_message_en,'
                    " settings) VALUES (1, 1, 1, 0, 'q', 'short_text', 'Q', 'Q', '', '', false, '', '', '', '', '{}')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO invitations (id, survey_id, token_hash, attributes, created_at) VALUES"
                    " (1, 1, 't', '{}', '2026-01-01 00:00:00')"
                )
            )
            run(
                sa.text(
                    "INSERT INTO responses (id, survey_id, survey_version, status, channel, locale, started_at,"
                    " submitted_at, current_page, attributes, invitation_id) VALUES (1, 1, 1, 'complete', 'web',"
                    " 'fr_CA', '2026-03-04 15:00:00', '2026-03-04 15:16:17', 0, '{}', 1)"
                )
            )
            run(
                sa.text(
                    "INSERT INTO answers (id, response_id, question_id, text_value, is_other)"
                    " VALUES (1, 1, 1, 'oui', false)"
                )
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            answers = connection.execute(sa.text("SELECT count(*) FROM answers")).scalar()
            link = connection.execute(sa.text("SELECT invitation_id FROM responses")).scalar()
            enforced = connection.exec_driver_sql("PRAGMA foreign_keys").scalar() if db.engine.name == "sqlite" else 1
        db.engine.dispose()
    assert (answers, link, enforced) == (1, 1, 1)


def test_the_phase_list_migration_names_and_orders_the_existing_phases(fresh_database):
    migration_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migration_app.app_context():
        upgrade(directory=MIGRATIONS, revision="8b3f6d2c4e17")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO processes (id, slug, title_fr, title_en, purpose_fr, purpose_en, status, created_at)"
                    " VALUES (1, 'p', 'P', 'P', '', '', 'active', '2026-01-01 00:00:00')"
                )
            )
            for phase_id, kind, starts, ends in (
                (1, "validation", "2026-04-01", "2026-04-02"),
                (2, "consultation", "2026-01-01", "2026-02-01"),
                (3, "synthesis", "2026-02-02", "2026-03-31"),
            ):
                connection.execute(
                    sa.text(
                        "INSERT INTO phases (id, process_id, kind, starts_on, ends_on, description_fr, description_en)"
                        " VALUES (:id, 1, :kind, :starts, :ends, 'Texte', 'Text')"
                    ),
                    {"id": phase_id, "kind": kind, "starts": starts, "ends": ends},
                )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT position, name_fr, name_en, kind, description_fr FROM phases ORDER BY position")
            ).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [
        (1, "Consultation", "Consultation", "consultation", "Texte"),
        (2, "Synthèse", "Synthesis", "synthesis", "Texte"),
        (3, "Validation (vote)", "Validation (vote)", "validation", "Texte"),
    ]
