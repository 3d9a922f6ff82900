"""All models, importable from one place (Alembic autogenerate sees them through this module)."""

from app.models import events, followup, moderation, processes, surveys, voting
from app.models.audit import AuditLog
from app.models.base import Base, UTCDateTime, utcnow
from app.models.events import *  # noqa: F403
from app.models.followup import *  # noqa: F403
from app.models.moderation import *  # noqa: F403
from app.models.people import AccountToken, Organization, Role, Sector, SignInSession, Territory, TokenPurpose, User
from app.models.processes import *  # noqa: F403
from app.models.results import ResultCount, ResultSummary
from app.models.surveys import *  # noqa: F403
from app.models.voting import *  # noqa: F403

# The model modules list their public names in their own __all__; the others are named here.
__all__ = ["AccountToken", "AuditLog", "Base", "Organization", "ResultCount", "ResultSummary", "Role", "Sector"]
__all__ += ["SignInSession", "Territory", "TokenPurpose", "UTCDateTime", "User", "utcnow"]
__all__ += events.__all__
__all__ += followup.__all__
__all__ += moderation.__all__
__all__ += processes.__all__
__all__ += surveys.__all__
__all__ += voting.__all__
