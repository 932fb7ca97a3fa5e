"""The viewer, their account and its users; signing in (password, invitation, SSO) and
two-factor authentication."""

from dataclasses import dataclass
from datetime import datetime

from resolvers.context import Context
from services import accounts, backups, crm
from services.accounts import Scope
from services.core.viewer import Viewer


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user's session, account and whether two-factor is set up."""

    viewer: Viewer
    account: accounts.Account
    auth_method: accounts.AuthMethod
    session_expires_at: datetime
    totp_enrolled: bool
    recovery_codes_left: int


async def me(context: Context) -> SignedIn:
    viewer = context.require_viewer()
    session = accounts.person_session(viewer)
    return SignedIn(
        viewer=viewer,
        account=await accounts.get_account(viewer),
        auth_method=session.auth_method,
        session_expires_at=session.expires_at,
        totp_enrolled=accounts.is_totp_enrolled(viewer.user),
        recovery_codes_left=await accounts.recovery_codes_left(viewer),
    )


async def account(context: Context) -> accounts.Account:
    return await accounts.get_account(context.require_viewer(Scope.READ))


def next_manual_backup_at(account: accounts.Account) -> datetime | None:
    return backups.next_manual_backup_at(account)


async def holds_records(account: accounts.Account) -> bool:
    return await crm.holds_records(account.id)


def manual_backup_interval_seconds(account: accounts.Account) -> int:
    return int(backups.manual_backup_interval(account.tier).total_seconds())


async def list_users(context: Context) -> list[accounts.User]:
    return await accounts.list_users(context.require_viewer())


async def super_admins(context: Context) -> list[accounts.User]:
    return await accounts.super_admins(context.require_viewer())


async def login(context: Context, email: str, password: str) -> tuple[str, accounts.User]:
    return await accounts.login(email, password, context.client_address)


async def logout(context: Context) -> None:
    await accounts.logout(context.require_viewer())


async def login_with_sso(id_token: str) -> tuple[str, accounts.User]:
    return await accounts.login_with_sso(id_token)


async def invite_user(
    context: Context, email: str, role: accounts.Role, name: str
) -> tuple[accounts.User, str]:
    return await accounts.invite_user(context.require_viewer(), email, role, name=name)


async def accept_invitation(token: str, password: str) -> tuple[str, accounts.User]:
    return await accounts.accept_invitation(token, password)


async def set_user_role(context: Context, user_id: str, role: accounts.Role) -> accounts.User:
    return await accounts.set_user_role(context.require_viewer(), user_id, role)


async def disable_user(context: Context, user_id: str) -> accounts.User:
    return await accounts.disable_user(context.require_viewer(), user_id)


async def enable_user(context: Context, user_id: str) -> accounts.User:
    return await accounts.enable_user(context.require_viewer(), user_id)


async def reset_user_two_factor(context: Context, user_id: str) -> accounts.User:
    return await accounts.reset_two_factor(context.require_viewer(), user_id)


async def start_totp_enrollment(
    context: Context, current_code: str | None
) -> accounts.TotpEnrollment:
    return await accounts.start_totp_enrollment(context.require_viewer(), current_code)


async def confirm_totp_enrollment(context: Context, code: str) -> list[str]:
    return await accounts.confirm_totp_enrollment(context.require_viewer(), code)


async def regenerate_recovery_codes(context: Context) -> list[str]:
    return await accounts.regenerate_recovery_codes(context.require_viewer())


async def reauthenticate(context: Context, code: str) -> accounts.StepUp:
    return await accounts.reauthenticate(context.require_viewer(), code)


async def create_api_token(
    context: Context, name: str, scopes: list[accounts.Scope], expires_in_days: int
) -> tuple[accounts.ApiToken, str]:
    return await accounts.create_api_token(context.require_viewer(), name, scopes, expires_in_days)


async def list_api_tokens(context: Context) -> list[accounts.ApiToken]:
    return await accounts.list_api_tokens(context.require_viewer())


async def revoke_api_token(context: Context, token_id: str) -> accounts.ApiToken:
    return await accounts.revoke_api_token(context.require_viewer(), token_id)
