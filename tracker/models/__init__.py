"""The tracker's models, one module per aggregate."""
from tracker.models import guard  # noqa: F401  (registers the closed-quarter guard)
from tracker.models.audit import AUDIT_ACTIONS, AuditEvent
from tracker.models.board import BOARD_LEVELS, Board, BoardMember
from tracker.models.initiative import (
    INITIATIVE_FIELDS,
    INITIATIVE_STATES,
    Initiative,
    InitiativeUpdate,
)
from tracker.models.petition import (
    PETITION_FIELDS,
    PETITION_STATES,
    Petition,
    PetitionUpdate,
)
from tracker.models.quarter import QUARTER_STATES, Quarter, parse_key
from tracker.models.notification import MailPreference, Notification
from tracker.models.revision import DataRevision
from tracker.models.report import (
    SIGNER_TITLES,
    ImportUpload,
    Organisation,
    QuarterReport,
)
from tracker.models.task import (
    CLOSING_REASONS,
    KIND_FIELDS,
    KINDS,
    ROLES,
    SHARE_STATUSES,
    STATUSES,
    Task,
    TaskUnit,
    TaskUpdate,
)
from tracker.models.signin import FailedSignIn, SignInSession
from tracker.models.token import TOKEN_SCOPES, ApiToken
from tracker.models.unit import UNIT_KINDS, Unit
from tracker.models.user import USER_ROLES, User, user_unit

__all__ = [
    "ApiToken", "AUDIT_ACTIONS", "AuditEvent", "BOARD_LEVELS", "Board", "BoardMember",
    "CLOSING_REASONS", "DataRevision", "FailedSignIn", "ImportUpload", "SignInSession",
    "Organisation", "QuarterReport", "SIGNER_TITLES",
    "KIND_FIELDS", "KINDS", "MailPreference", "Notification", "QUARTER_STATES",
    "ROLES", "SHARE_STATUSES", "STATUSES",
    "Task", "TaskUnit", "TaskUpdate", "Quarter", "UNIT_KINDS", "USER_ROLES", "Unit",
    "User", "parse_key", "user_unit", "TOKEN_SCOPES",
    "PETITION_FIELDS", "PETITION_STATES", "Petition", "PetitionUpdate",
    "INITIATIVE_FIELDS", "INITIATIVE_STATES", "Initiative", "InitiativeUpdate",
]

from tracker.boards import scope  # noqa: E402,F401  (registers the board scope)
from tracker.notifications import events  # noqa: E402,F401  (notices follow the record)
