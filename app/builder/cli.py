"""``flask --app wsgi import-form FILE [--process SLUG] [--open]``: import a questionnaire (JSON or XLSForm)."""

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale

from app.builder.definition import DefinitionInvalid, import_definition
from app.builder.operations import BuilderError, change_status
from app.builder.xlsform import XLSFormInvalid, read_xlsform
from app.core.extensions import db
from app.models import Process, SurveyStatus, utcnow

MAX_FILE_BYTES = 10 * 1024 * 1024


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    db.session.rollback()
    sys.exit(2)


@click.command("import-form")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--process", "process_slug", default=None, help="Slug of the process (default: the most recent one).")
@click.option("--open", "open_now", is_flag=True, help="Open the survey at once.")
def import_form_command(file: Path, process_slug: str | None, open_now: bool) -> None:
    """Import a questionnaire from its JSON definition or an XLSForm (.xlsx) and print its public path.

    Problems go to standard error, with exit status 2; nothing is created for a refused file.
    """
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        _import_form(file, process_slug, open_now)


def _import_form(file: Path, process_slug: str | None, open_now: bool) -> None:
    if not file.is_file():
        _fail([f"Error: {file}: no such file."])
    if file.stat().st_size > MAX_FILE_BYTES:
        _fail([f"Error: {file}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB."])
    extension = file.suffix.lower()
    if extension not in {".json", ".xlsx"}:
        _fail([f"Error: {file}: expected a .json definition or an .xlsx XLSForm."])
    if process_slug:
        process = db.session.execute(db.select(Process).filter_by(slug=process_slug)).scalar_one_or_none()
        if process is None:
            _fail([f"Error: no process has the slug “{process_slug}”."])
    else:
        process = db.session.execute(
            db.select(Process).order_by(Process.created_at.desc(), Process.id.desc()).limit(1)
        ).scalar_one_or_none()
        if process is None:
            _fail(["Error: there is no process yet; create one (or run seed-demo) first."])
    data = file.read_bytes()
    if extension == ".json":
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            _fail([f"Error: {file}: not a valid JSON file ({exc})."])
    else:
        try:
            document = read_xlsform(data, fallback_title=file.stem)
        except XLSFormInvalid as exc:
            _fail([f"Error: {file} was refused; nothing was imported.", *(f"  {p}" for p in exc.problems)])
    try:
        survey = import_definition(document, process, None)
    except DefinitionInvalid as exc:
        _fail([f"Error: {file} was refused; nothing was imported.", *(f"  {e}" for e in exc.errors)])
    if open_now:
        try:
            change_status(None, survey, SurveyStatus.OPEN, utcnow())
        except BuilderError as error:
            problems = [f"  {message}" for _field, message in error.problems]
            _fail(["Error: the survey cannot be opened; nothing was imported.", *problems])
    db.session.commit()
    click.echo(f"/s/{survey.slug}")
