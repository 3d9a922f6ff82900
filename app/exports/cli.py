"""``flask --app wsgi export-responses SLUG --format csv|xlsx|json --out FILE``."""

import click
from flask.cli import with_appcontext

from app.compliance import audit
from app.core.extensions import db
from app.exports.export import FORMATS, LANGUAGES, ExportOptions, export_chunks, write_xlsx
from app.models import Response, Survey


@click.command("export-responses")
@with_appcontext
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True, help="File to write.")
@click.option("--labels", is_flag=True, help="Labels instead of codes.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="fr", show_default=True, help="Language of labels.")
def export_responses_command(slug: str, fmt: str, out_path: str, labels: bool, lang: str) -> None:
    """Export a survey's responses (one row or object per response), streamed to FILE."""
    survey = db.session.execute(db.select(Survey).filter_by(slug=slug)).scalar_one_or_none()
    if survey is None:
        raise click.ClickException(f"no survey with the slug {slug!r}")
    options = ExportOptions(labels=labels, language=lang)
    audit.record(None, "export_responses", survey, format=fmt, labels=labels, language=lang, via="cli")
    db.session.commit()
    if fmt == "xlsx":
        count = write_xlsx(survey.id, options, out_path)
    else:
        with open(out_path, "w", encoding="utf-8", newline="") as out:
            for chunk in export_chunks(survey.id, fmt, options):
                out.write(chunk)
        count = db.session.scalar(db.select(db.func.count(Response.id)).filter_by(survey_id=survey.id))
    click.echo(f"Exported {count} responses of {slug} to {out_path} ({fmt}).")
