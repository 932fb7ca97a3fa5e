"""Step-up authentication before a dangerous operation (a restore, its revert)."""

from datetime import timedelta

from models.accounts import AuthMethod
from services.core.clock import now
from services.core.errors import DomainError, ErrorCode
from services.core.viewer import Viewer

FRESH_FOR = timedelta(minutes=5)


class ReauthRequired(DomainError):
    code = ErrorCode.REAUTH_REQUIRED


class TotpNotEnrolled(DomainError):
    code = ErrorCode.TOTP_NOT_ENROLLED


def require_step_up(viewer: Viewer) -> None:
    """An SSO session passes (the identity provider vouched for it); any other needs a TOTP
    re-authentication within the last 5 minutes. An API token never passes: a token is not a
    person, and no code typed by one can vouch for it."""
    if viewer.session is None:
        raise ReauthRequired(
            "A restore needs a person's session re-authenticated with a two-factor code; "
            "an API token cannot start one."
        )
    if viewer.session.auth_method == AuthMethod.SSO:
        return
    if viewer.user.totp_secret_encrypted is None:
        raise TotpNotEnrolled("Set up two-factor authentication first (startTotpEnrollment).")
    reauthenticated_at = viewer.session.reauthenticated_at
    if reauthenticated_at is None or now() - reauthenticated_at > FRESH_FOR:
        raise ReauthRequired("Confirm it is you: call reauthenticate(code) with a current code.")
