"""Words for the follow-up's statuses and kinds (registered with app.labels by :func:`app.followup.register`)."""

from flask_babel import lazy_gettext as _l

from app.models import ActionStatus, CommitmentKind

ACTION_STATUS_LABELS = {
    ActionStatus.PLANNED: _l("Planned"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.ABANDONED: _l("Abandoned"),
}
COMMITMENT_KIND_LABELS = {
    CommitmentKind.LEAD: _l("Lead"),
    CommitmentKind.CO_LEAD: _l("Co-lead"),
    CommitmentKind.FUNDING: _l("Funding"),
    CommitmentKind.STAFF_TIME: _l("Staff time"),
    CommitmentKind.SPACE: _l("Space"),
    CommitmentKind.COMMUNICATION: _l("Communication"),
    CommitmentKind.EXPERTISE: _l("Expertise"),
    CommitmentKind.OTHER: _l("Other"),
}
LABELS = {"action_status": ACTION_STATUS_LABELS, "commitment_kind": COMMITMENT_KIND_LABELS}
