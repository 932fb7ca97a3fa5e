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
