"""After the vote: collective actions under adopted priorities, partner commitments, progress updates, reminders and
the public follow-up page. Importing the package does nothing; :func:`register` wires it into an app."""

from flask import Blueprint, Flask

bp = Blueprint("followup", __name__)


def register(app: Flask) -> None:
    """The blueprint (its views by audience: facilitator, partner, public), the words of its statuses, the
    ``quantity`` filter (a number in its unit) and its sections of a partner's personal-data download."""
    from app.compliance import privacy
    from app.core import labels
    from app.followup import personal_data
    from app.followup.labels import LABELS
    from app.followup.quantities import format_quantity
    from app.followup.views import facilitator, partner, public  # noqa: F401 - their routes join the blueprint

    labels.ALL_LABELS.update(LABELS)
    app.jinja_env.filters["quantity"] = format_quantity
    privacy.data_section("commitments")(personal_data.commitments)  # in a partner's personal-data download
    privacy.data_section("progress_updates")(personal_data.progress_updates)
    if "followup" not in app.blueprints:
        app.register_blueprint(bp)
