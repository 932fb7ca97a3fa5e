"""Accounts, their users and how they prove who they are: passwords, sessions, two-factor,
step-up before dangerous operations, single sign-on; and the demo account of embedded mode."""

from typing import TYPE_CHECKING, Any

from models.accounts import Account, ApiToken, AuthMethod, Role, Scope, Tier, User
from services.accounts import demo
from services.accounts.access_changes import AccessChange, AccessChangeKind
from services.accounts.access_changes import watch as watch_access_changes
from services.accounts.accounts import create_account, create_user, get_account
from services.accounts.api_tokens import (
    MAX_LIFETIME_DAYS as API_TOKEN_MAX_LIFETIME_DAYS,
)
from services.accounts.api_tokens import (
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)
from services.accounts.credentials import authenticate, operator_acting_as
from services.accounts.sessions import (
    delete_expired_sessions,
    login,
    logout,
    person_session,
    start_session,
)
from services.accounts.step_up import ReauthRequired, TotpNotEnrolled, require_step_up
from services.accounts.throttle import LoginLimits, limit_logins
from services.accounts.totp import Enrollment as TotpEnrollment
from services.accounts.totp import (
    StepUp,
    reauthenticate,
    recovery_codes_left,
    regenerate_recovery_codes,
)
from services.accounts.totp import confirm_enrollment as confirm_totp_enrollment
from services.accounts.totp import is_enrolled as is_totp_enrolled
from services.accounts.totp import start_enrollment as start_totp_enrollment
from services.accounts.users import (
    accept_invitation,
    disable_user,
    enable_user,
    invite_user,
    list_users,
    reset_two_factor,
    reset_two_factor_by_email,
    set_user_role,
    super_admins,
)

if TYPE_CHECKING:
    from services.accounts.sso import login_with_sso


def __getattr__(name: str) -> Any:
    # Single sign-on's token library (PyJWT, 2.5 MB) is loaded by the API's first sign-in that
    # uses it: the workers, which sign no one in, never carry it against their memory bounds.
    if name == "login_with_sso":
        from services.accounts.sso import login_with_sso

        return login_with_sso
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "API_TOKEN_MAX_LIFETIME_DAYS",
    "AccessChange",
    "AccessChangeKind",
    "Account",
    "ApiToken",
    "AuthMethod",
    "LoginLimits",
    "ReauthRequired",
    "Role",
    "Scope",
    "StepUp",
    "Tier",
    "TotpEnrollment",
    "TotpNotEnrolled",
    "User",
    "accept_invitation",
    "authenticate",
    "confirm_totp_enrollment",
    "create_account",
    "create_api_token",
    "create_user",
    "delete_expired_sessions",
    "demo",
    "disable_user",
    "enable_user",
    "get_account",
    "invite_user",
    "is_totp_enrolled",
    "limit_logins",
    "list_api_tokens",
    "list_users",
    "login",
    "login_with_sso",
    "logout",
    "operator_acting_as",
    "person_session",
    "reauthenticate",
    "recovery_codes_left",
    "regenerate_recovery_codes",
    "require_step_up",
    "reset_two_factor",
    "reset_two_factor_by_email",
    "revoke_api_token",
    "set_user_role",
    "start_session",
    "start_totp_enrollment",
    "super_admins",
    "watch_access_changes",
]
