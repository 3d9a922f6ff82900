"""Translated labels for enum values shown to people (one place, used by forms and templates)."""

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from app.models import Anonymity, PhaseKind, ProcessStatus, Role, Sector, SurveyStatus
from app.models.voting import BallotStatus, CastSource, Eligibility, ResultsVisibility, VotingMethod
from app.questions import find_type, registered_types

ROLE_LABELS = {Role.PARTNER: _l("Partner"), Role.FACILITATOR: _l("Facilitator"), Role.ADMIN: _l("Administrator")}
SECTOR_LABELS = {
    Sector.SCHOOL: _l("School"),
    Sector.COMMUNITY: _l("Community"),
    Sector.MUNICIPAL: _l("Municipal"),
    Sector.HEALTH: _l("Health and social services"),
    Sector.EMPLOYER: _l("Employer"),
    Sector.GOVERNMENT: _l("Government"),
    Sector.OTHER: _l("Other"),
}
PHASE_LABELS = {
    PhaseKind.CONSULTATION: _l("Consultation"),
    PhaseKind.SYNTHESIS: _l("Synthesis"),
    PhaseKind.VALIDATION: _l("Validation (vote)"),
    PhaseKind.LAUNCH: _l("Launch"),
}
PROCESS_STATUS_LABELS = {
    ProcessStatus.DRAFT: _l("Draft"),
    ProcessStatus.ACTIVE: _l("Active"),
    ProcessStatus.COMPLETED: _l("Completed"),
    ProcessStatus.ARCHIVED: _l("Archived"),
}
PHASE_STATUS_LABELS = {"past": _l("Done"), "current": _l("Now"), "upcoming": _l("Upcoming")}
LOCALE_LABELS = {"fr_CA": "Français", "en": "English"}
VOTING_METHOD_LABELS = {
    VotingMethod.APPROVAL: _l("Approval (approve the options you support)"),
    VotingMethod.POINTS: _l("Points (spread a budget of points)"),
    VotingMethod.RANKING: _l("Ranking (Schulze method, Borda count beside it)"),
    VotingMethod.MAJORITY_JUDGMENT: _l("Majority judgment (grade each option)"),
}
BALLOT_STATUS_LABELS = {
    BallotStatus.DRAFT: _l("Draft"),
    BallotStatus.OPEN: _l("Open"),
    BallotStatus.CLOSED: _l("Closed"),
    BallotStatus.PUBLISHED: _l("Results published"),
}
ELIGIBILITY_LABELS = {
    Eligibility.ALL_PARTNERS: _l("All partners"),
    Eligibility.LISTED: _l("Only the people listed below"),
    Eligibility.ONE_PER_ORGANIZATION: _l("One ballot per organization (the last cast by any member counts)"),
}
RESULTS_VISIBILITY_LABELS = {
    ResultsVisibility.LIVE: _l("Live, while the vote is open"),
    ResultsVisibility.AFTER_CLOSE: _l("Only once the vote is closed and the results are published"),
}
CAST_SOURCE_LABELS = {CastSource.ONLINE: _l("Online"), CastSource.PAPER: _l("Paper")}
AGREEMENT_LABELS = {
    "agree": _l("Groups agree"),
    "moderate": _l("Some divergence"),
    "diverge": _l("Groups diverge"),
}

SURVEY_STATUS_LABELS = {
    SurveyStatus.DRAFT: _l("Draft"),
    SurveyStatus.OPEN: _l("Open"),
    SurveyStatus.CLOSED: _l("Closed"),
    SurveyStatus.ARCHIVED: _l("In the archives"),
}
ANONYMITY_LABELS = {
    Anonymity.ANONYMOUS: _l("Anonymous: no link between a response and anyone"),
    Anonymity.CONFIDENTIAL: _l("Confidential: invitation attributes (territory, group) kept with the response"),
    Anonymity.IDENTIFIED: _l("Identified: the e-mail address is asked, stored apart from the answers"),
}


class _QuestionTypeLabels(Mapping):
    """The name of each registered question type (each type names itself: app/questions/)."""

    def __getitem__(self, key: Any) -> Any:
        qtype = find_type(key)
        if qtype is None:
            raise KeyError(key)
        return qtype.label

    def __iter__(self) -> Iterator[str]:
        return iter([str(t.key) for t in registered_types()])

    def __len__(self) -> int:
        return len(registered_types())


QUESTION_TYPE_LABELS = _QuestionTypeLabels()

ALL_LABELS = {
    "role": ROLE_LABELS,
    "sector": SECTOR_LABELS,
    "phase": PHASE_LABELS,
    "process_status": PROCESS_STATUS_LABELS,
    "phase_status": PHASE_STATUS_LABELS,
    "voting_method": VOTING_METHOD_LABELS,
    "ballot_status": BALLOT_STATUS_LABELS,
    "eligibility": ELIGIBILITY_LABELS,
    "results_visibility": RESULTS_VISIBILITY_LABELS,
    "cast_source": CAST_SOURCE_LABELS,
    "agreement": AGREEMENT_LABELS,
    "survey_status": SURVEY_STATUS_LABELS,
    "anonymity": ANONYMITY_LABELS,
    "question_type": QUESTION_TYPE_LABELS,
}


def label(kind: str, value) -> str:
    return str(ALL_LABELS[kind].get(value, value))


# --- moderation
from app.models.moderation import ItemSource, ItemState, OrientationState, RejectReason  # noqa: E402

ITEM_STATE_LABELS = {
    ItemState.PENDING: _l("Pending"),
    ItemState.APPROVED: _l("Approved"),
    ItemState.REJECTED: _l("Rejected"),
    ItemState.NEEDS_REDACTION: _l("Needs redaction"),
}
ITEM_SOURCE_LABELS = {
    ItemSource.ANSWER: _l("Open answer"),
    ItemSource.OTHER_ANSWER: _l("“Other” answer"),
    ItemSource.CONTRIBUTION: _l("Partner contribution"),
    ItemSource.COMMENT: _l("Comment on an orientation"),
    ItemSource.COMMITMENT: _l("Partner commitment"),
    ItemSource.PROGRESS_UPDATE: _l("Progress update of an action"),
    ItemSource.EVENT: _l("Idea noted at an event"),
}
REJECT_REASON_LABELS = {
    RejectReason.OFF_TOPIC: _l("Off topic"),
    RejectReason.OFFENSIVE: _l("Offensive"),
    RejectReason.PERSONAL_INFORMATION: _l("Personal information"),
    RejectReason.SPAM: _l("Spam"),
    RejectReason.DUPLICATE: _l("Duplicate of another item"),
}
ORIENTATION_STATE_LABELS = {
    OrientationState.DRAFT: _l("Draft"),
    OrientationState.IN_REVIEW: _l("In review"),
    OrientationState.READY_FOR_VOTE: _l("Ready for the vote"),
    OrientationState.ADOPTED: _l("Adopted"),
    OrientationState.SET_ASIDE: _l("Set aside"),
}
REDACTION_KIND_LABELS = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "address": _l("Street address"),
    "postal_code": _l("Postal code"),
    "sin": _l("Social insurance number"),
    "health_card": _l("Health insurance number (RAMQ)"),
    "birth_date": _l("Date of birth"),
    "handle": _l("Social-media handle"),
    "other": _l("Other"),
}
ALL_LABELS.update(
    item_state=ITEM_STATE_LABELS,
    item_source=ITEM_SOURCE_LABELS,
    reject_reason=REJECT_REASON_LABELS,
    orientation_state=ORIENTATION_STATE_LABELS,
    redaction_kind=REDACTION_KIND_LABELS,
)
