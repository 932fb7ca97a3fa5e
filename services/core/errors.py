"""Domain errors. Each carries the stable code that clients branch on.

`extensions` is read by graphql-core when it wraps an exception raised in a resolver, so the
code reaches the client without the domain knowing about GraphQL.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    RATE_LIMITED = "RATE_LIMITED"
    REAUTH_REQUIRED = "REAUTH_REQUIRED"
    TOTP_NOT_ENROLLED = "TOTP_NOT_ENROLLED"
    TOTP_LOCKED = "TOTP_LOCKED"
    RESTORE_IN_PROGRESS = "RESTORE_IN_PROGRESS"
    BACKUP_EXPIRED = "BACKUP_EXPIRED"
    NOT_RESTORABLE = "NOT_RESTORABLE"
    PLAN_STALE = "PLAN_STALE"
    PLAN_NOT_READY = "PLAN_NOT_READY"
    BACKUP_OF_ANOTHER_ACCOUNT = "BACKUP_OF_ANOTHER_ACCOUNT"
    TIER_REQUIRED = "TIER_REQUIRED"
    SSO_NOT_CONFIGURED = "SSO_NOT_CONFIGURED"
    USER_DISABLED = "USER_DISABLED"
    # An API token was used for something its scopes do not grant (`requiredScope` says which).
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    # Not raised by the domain: the document was refused, a mutation came over the websocket,
    # or an unexpected failure was masked.
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    POST_REQUIRED = "POST_REQUIRED"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    # The database or Redis does not answer (`services.core.outages`).
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


# What each code means to a client, said once: the GraphQL schema describes its `ErrorCode` enum
# with these, and the README's table says the same.
MEANINGS: dict[ErrorCode, str] = {
    ErrorCode.UNAUTHENTICATED: "No session, or an unknown or expired one: sign in again.",
    ErrorCode.FORBIDDEN: "The signed-in user's role does not allow this.",
    ErrorCode.NOT_FOUND: "No such thing in the signed-in user's account: another account's id "
    "answers exactly like an id that never existed.",
    ErrorCode.VALIDATION_FAILED: "Bad input; `extensions.field` or `extensions.problems` (index, "
    "property, message) say what. Nothing was written.",
    ErrorCode.RATE_LIMITED: "Over a quota, or sign-in locked after wrong passwords; "
    "`extensions.retryAt` says when to try again.",
    ErrorCode.REAUTH_REQUIRED: "A restore or revert needs a two-factor step-up (`reauthenticate`) "
    "within the last 5 minutes; always, with an API token.",
    ErrorCode.OUT_OF_SCOPE: "An API token whose scopes do not include the one this needs, named "
    "in `extensions.requiredScope`.",
    ErrorCode.TOTP_NOT_ENROLLED: "A step-up is needed, but the user has not set up two-factor "
    "yet (`startTotpEnrollment`).",
    ErrorCode.TOTP_LOCKED: "Too many wrong two-factor codes (5 in 15 minutes); "
    "`extensions.retryAt` says when codes are checked again.",
    ErrorCode.RESTORE_IN_PROGRESS: "Another restore of the account is queued or running: one at "
    "a time.",
    ErrorCode.BACKUP_EXPIRED: "The backup is past its `expiresAt` (the account's retention "
    "period): it can no longer be downloaded or restored from; or a restore asked of a backup "
    "past its `restorableUntil`, whose file can still be downloaded and imported until "
    "`extensions.keptUntil`.",
    ErrorCode.NOT_RESTORABLE: "An object type a restore cannot set (conversations), or an upload "
    "refused as a backup file.",
    ErrorCode.PLAN_STALE: "The plan is over an hour old, or its revert window ran out since: "
    "plan again.",
    ErrorCode.PLAN_NOT_READY: "The plan is still being computed (PLAN_QUEUED or PLANNING): start "
    "it once PLANNED.",
    ErrorCode.BACKUP_OF_ANOTHER_ACCOUNT: "An uploaded backup ZIP was made of another account "
    "(HTTP 422 on `POST /imports`).",
    ErrorCode.TIER_REQUIRED: "The account's tier does not include the feature (scheduled "
    "backups: ENTERPRISE).",
    ErrorCode.SSO_NOT_CONFIGURED: "`loginWithSso` on a server without single sign-on settings.",
    ErrorCode.USER_DISABLED: "A sign-in (password, SSO or invitation) of a user a super admin has "
    "disabled; said only after the right password.",
    ErrorCode.GRAPHQL_VALIDATION_FAILED: "The document was refused before running: syntax, "
    "unknown fields, variables that do not fit their types, or a limit (depth, aliases, "
    "tokens).",
    ErrorCode.POST_REQUIRED: "A mutation sent over the websocket: mutations go over POST.",
    ErrorCode.INTERNAL_SERVER_ERROR: "An unexpected failure; its detail is only in the server log.",
    ErrorCode.SERVICE_UNAVAILABLE: "The database or Redis does not answer; nothing was done. Try "
    "again shortly (over HTTP: 503 with Retry-After).",
}


class DomainError(Exception):
    code: ErrorCode

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @property
    def extensions(self) -> dict[str, Any]:
        return {"code": self.code.value, **self.details}


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class OutOfScope(DomainError):
    code = ErrorCode.OUT_OF_SCOPE

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"This API token lacks the {scope} scope: create a token with it.",
            requiredScope=scope,
        )


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class ValidationFailed(DomainError):
    """Bad input. `details` may name the offending fields, e.g. `field=...` or `problems=[...]`."""

    code = ErrorCode.VALIDATION_FAILED


class TierRequired(DomainError):
    """The account's tier does not include the feature."""

    code = ErrorCode.TIER_REQUIRED


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message, retryAt=retry_at.isoformat())
        self.retry_at = retry_at


class ServiceUnavailable(DomainError):
    """The database or Redis does not answer: nothing is wrong with the request, try again."""

    code = ErrorCode.SERVICE_UNAVAILABLE
    # What HTTP answers tell clients to wait (Retry-After) before trying again.
    RETRY_AFTER_SECONDS = 5

    def __init__(self) -> None:
        super().__init__(
            "The service is unavailable for a moment (its database or Redis does not answer); "
            "nothing was done. Try again shortly."
        )
