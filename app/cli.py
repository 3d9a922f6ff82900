"""Flask CLI commands (``flask --app wsgi <command>``)."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.auth.accounts import MIN_PASSWORD_LENGTH, EmailTaken, create_user
from app.core.extensions import db
from app.models import Role
from app.web.i18n import local_today


def register(app: Flask) -> None:
    from app.builder.cli import import_form_command
    from app.voting.tally_cli import tally_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(tally_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(purge_expired_command)
    app.cli.add_command(close_due_ballots_command)
    app.cli.add_command(import_form_command)

    from app.exports.cli import export_responses_command

    app.cli.add_command(export_responses_command)


@click.command("seed-demo")
@with_appcontext
@click.option("--logins-file", type=click.Path(dir_okay=False), default=None, help="Also append new logins here.")
@click.option(
    "--responses",
    type=click.IntRange(min=0, max=1_000_000),
    default=0,
    help="Top each open demo survey up to N synthetic responses (a re-run adds none).",
)
def seed_demo_command(logins_file: str | None, responses: int) -> None:
    """Create the demo data (idempotent: existing rows are left alone)."""
    from app.devdata.demo import seed_demo, seed_responses

    report = seed_demo(local_today())
    db.session.commit()
    if responses:
        added = seed_responses(responses, local_today())
        db.session.commit()
        click.echo(f"Synthetic responses: {added} added (each open demo survey has at least {responses}).")
    created = ", ".join(f"{count} {kind}" for kind, count in report.created.items()) or "nothing new"
    click.echo(f"Demo data ready ({created}).")
    if report.survey_paths:
        click.echo("Demo surveys:\n  " + "\n  ".join(report.survey_paths))
    if report.new_logins:
        lines = [f"{role:<12} {email:<36} {password}" for role, email, password in report.new_logins]
        click.echo("Demo logins (shown once):\n  " + "\n  ".join(lines))
        if logins_file:
            with open(logins_file, "a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
    current_app.logger.info("Demo seeded: %s", created)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default=None, help="Full name (defaults to the part of the e-mail before @).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email: str, role: str, name: str | None, password: str) -> None:
    """Create an account with a password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(f"at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password")
    if "@" not in email:
        raise click.BadParameter("not an e-mail address", param_hint="EMAIL")
    try:
        user = create_user(email, name or email.split("@", 1)[0], Role(role), password=password)
    except EmailTaken:
        raise click.ClickException(f"an account already uses {email}") from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email} (id {user.id}).")


@click.command("backup")
@with_appcontext
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="File to write ('-': stdout).")
def backup_command(out_path: str) -> None:
    """Write the whole database to a JSON document (schema revision included)."""
    from app.compliance.backup import write_backup

    with db.engine.connect() as connection:
        if out_path == "-":
            write_backup(connection, click.get_text_stream("stdout"))
            return
        with open(out_path, "w", encoding="utf-8") as out:
            write_backup(connection, out)
    click.echo(f"Backup written to {out_path}.", err=True)


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.File("r", encoding="utf-8"))
def restore_command(path) -> None:
    """Restore a backup into an empty database migrated to the same schema revision (all or nothing)."""
    from app.compliance.backup import BackupError, restore_backup

    try:
        with db.engine.begin() as connection:
            counts = restore_backup(connection, path)
    except BackupError as error:
        click.echo(f"Restore refused: {error}. Nothing was restored.", err=True)
        raise SystemExit(2) from None
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables.")


@click.command("purge-expired")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@with_appcontext
def purge_expired_command(dry_run: bool) -> None:
    """Delete the responses kept longer than their survey's retention period."""
    from app.compliance.retention import plan_purge, purge_expired
    from app.models import utcnow

    now = utcnow()
    for plan in plan_purge(now):
        days = plan.survey.retention_days
        click.echo(f"{plan.survey.slug}: {plan.expired} responses older than {plan.cutoff:%Y-%m-%d} (kept {days} days)")
    if dry_run:
        click.echo("Dry run: nothing deleted.")
        return
    deleted = purge_expired(now)
    db.session.commit()
    click.echo(f"Deleted {deleted} expired responses.")


@click.command("close-due-ballots")
@with_appcontext
def close_due_ballots_command() -> None:
    """Close the ballots whose closing time has passed and seal their casts (schedule it every few minutes)."""
    from app.voting.ballots import close_due_ballots

    closed = close_due_ballots()
    db.session.commit()
    click.echo(f"Closed {len(closed)} ballot(s) past their closing time.")
