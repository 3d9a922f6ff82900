"""The refusals of the follow-up feature."""

from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError


class FollowupError(DomainError):
    """A follow-up action that cannot be taken; ``message`` is shown next to ``field``."""


class StaleEdit(FollowupError):
    """Someone saved the action after this person opened it: their save is refused, what they typed is shown again."""

    def __init__(self) -> None:
        super().__init__(
            _l(
                "This action was changed since you opened it (by someone else). Your changes are not saved: they are "
                "still in the form below. Compare with the current version, then save again."
            )
        )
