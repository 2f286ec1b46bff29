"""The tracker's models, one module per aggregate."""
from tracker.models import guard  # noqa: F401  (registers the closed-quarter guard)
from tracker.models.audit import AUDIT_ACTIONS, AuditEvent
from tracker.models.board import BOARD_LEVELS, Board, BoardMember
from tracker.models.comment import EDIT_WINDOW, Comment, CommentRevision
from tracker.models.congress import CONGRESS_LEVELS, CongressTerm, CongressTermChange
from tracker.models.extension import EXTENSION_STATES, DeadlineExtension
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
    BriefingMeeting,
    BriefingProposal,
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
from tracker.models.saved_search import SavedSearch
from tracker.models.signin import FailedSignIn, SignInSession
from tracker.models.stored_file import ATTACHED_TO, StoredFile
from tracker.models.token import TOKEN_SCOPES, ApiToken, CalendarToken
from tracker.models.unit import UNIT_KINDS, Unit
from tracker.models.user import USER_ROLES, User, user_unit
from tracker.models.watch import Watch

__all__ = [
    "ApiToken", "AUDIT_ACTIONS", "AuditEvent", "BOARD_LEVELS", "Board", "BoardMember",
    "CLOSING_REASONS", "DataRevision", "FailedSignIn", "ImportUpload", "SignInSession",
    "Organisation", "QuarterReport", "SIGNER_TITLES", "BriefingMeeting",
    "BriefingProposal",
    "KIND_FIELDS", "KINDS", "MailPreference", "Notification", "QUARTER_STATES",
    "ROLES", "SHARE_STATUSES", "STATUSES",
    "Task", "TaskUnit", "TaskUpdate", "Quarter", "UNIT_KINDS", "USER_ROLES", "Unit",
    "User", "parse_key", "user_unit", "TOKEN_SCOPES",
    "PETITION_FIELDS", "PETITION_STATES", "Petition", "PetitionUpdate",
    "CalendarToken", "Comment", "CommentRevision", "EDIT_WINDOW",
    "CONGRESS_LEVELS", "CongressTerm", "CongressTermChange",
    "DeadlineExtension", "EXTENSION_STATES", "Watch",
    "ATTACHED_TO", "StoredFile", "SavedSearch",
    "INITIATIVE_FIELDS", "INITIATIVE_STATES", "Initiative", "InitiativeUpdate",
]

from tracker.boards import scope  # noqa: E402,F401  (registers the board scope)
from tracker.notifications import events  # noqa: E402,F401  (notices follow the record)
# Holding a congress moves its organisation's term forward (a flush listener).
from tracker.congresses import services as _terms  # noqa: E402,F401
