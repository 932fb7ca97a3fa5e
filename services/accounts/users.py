"""Users of an account: inviting them, and what super admins change about them (role, disabled
or not, two-factor reset). An account always keeps an active super admin: the last one cannot be
demoted or disabled, and nobody resets their own two-factor this way."""

import secrets
from datetime import timedelta
from uuid import UUID

from tortoise.queryset import QuerySet

from models.accounts import Account, AuthMethod, Role, User
from services import activity
from services.accounts import access_changes, passwords, totp
from services.accounts.accounts import check_password_strength, create_user, normalise_email
from services.accounts.sessions import (
    end_all_sessions,
    hash_token,
    refuse_if_disabled,
    start_session,
)
from services.core import database
from services.core.clock import now
from services.core.errors import NotFound, Unauthenticated, ValidationFailed
from services.core.ids import parse_id
from services.core.text import check_text
from services.core.viewer import Viewer

INVITATION_LIFETIME = timedelta(days=7)


async def list_users(viewer: Viewer) -> list[User]:
    viewer.require_role(Role.SUPER_ADMIN)
    return await User.filter(account_id=viewer.account_id).order_by("email")


async def super_admins(viewer: Viewer) -> list[User]:
    """Whom the other roles ask: the account's active super admins."""
    return await _active_super_admins(viewer.account_id).order_by("email")


async def invite_user(
    viewer: Viewer, email: str, role: Role, *, name: str = ""
) -> tuple[User, str]:
    viewer.require_role(Role.SUPER_ADMIN)
    token = secrets.token_urlsafe(32)
    account = await Account.get(id=viewer.account_id)
    async with database.transaction():
        user = await create_user(account, email, role, name=name)
        user.invitation_token_hash = hash_token(token)
        user.invitation_expires_at = now() + INVITATION_LIFETIME
        await user.save(update_fields=["invitation_token_hash", "invitation_expires_at"])
        await activity.record_event(
            viewer.account_id,
            viewer.user.id,
            "USER_INVITED",
            target_type="user",
            target_id=user.id,
            email=user.email,
            role=role.value,
        )
    return user, token


async def accept_invitation(token: str, password: str) -> tuple[str, User]:
    check_password_strength(password)
    check_text(token, "token")
    user = await User.get_or_none(invitation_token_hash=hash_token(token))
    if user is None or user.invitation_expires_at is None or user.invitation_expires_at <= now():
        raise Unauthenticated("The invitation is unknown, used or expired.")
    refuse_if_disabled(user)
    password_hash = passwords.hash_password(password)
    # Compare-and-set on the token: of two requests redeeming it at once, one sets a password.
    redeemed = await User.filter(id=user.id, invitation_token_hash=hash_token(token)).update(
        password_hash=password_hash, invitation_token_hash=None, invitation_expires_at=None
    )
    if not redeemed:
        raise Unauthenticated("The invitation is unknown, used or expired.")
    await user.refresh_from_db()
    await activity.record_event(
        user.account_id, user.id, "INVITATION_ACCEPTED", target_type="user", target_id=user.id
    )
    return await start_session(user, AuthMethod.PASSWORD), user


async def set_user_role(viewer: Viewer, user_id: str | UUID, role: Role) -> User:
    viewer.require_role(Role.SUPER_ADMIN)
    async with database.transaction():
        user = await _user_for_change(viewer, user_id)
        if role != Role.SUPER_ADMIN:
            await _keep_a_super_admin(user, "demoted", field="role")
        previous = user.role
        user.role = role
        await user.save(update_fields=["role"])
        await activity.record_event(
            viewer.account_id,
            viewer.user.id,
            "USER_ROLE_CHANGED",
            target_type="user",
            target_id=user.id,
            previous=previous.value,
            role=role.value,
        )
    if role != previous:
        await access_changes.role_changed(user.id)
    return user


async def disable_user(viewer: Viewer, user_id: str | UUID) -> User:
    """The user can no longer sign in, and every session of theirs ends at once."""
    viewer.require_role(Role.SUPER_ADMIN)
    async with database.transaction():
        user = await _user_for_change(viewer, user_id)
        if user.disabled_at is None:
            await _keep_a_super_admin(user, "disabled", field="userId")
            user.disabled_at = now()
            await user.save(update_fields=["disabled_at"])
            await _record(viewer, "USER_DISABLED", user)
    # Committed: from now on no session of the user authenticates; these go, and sockets close.
    await end_all_sessions(user.id)
    return user


async def enable_user(viewer: Viewer, user_id: str | UUID) -> User:
    viewer.require_role(Role.SUPER_ADMIN)
    async with database.transaction():
        user = await _user_for_change(viewer, user_id)
        if user.disabled_at is not None:
            user.disabled_at = None
            await user.save(update_fields=["disabled_at"])
            await _record(viewer, "USER_ENABLED", user)
    return user


async def reset_two_factor(viewer: Viewer, user_id: str | UUID) -> User:
    """For a user who lost their authenticator and recovery codes: they set it up again. One's
    own needs a current or recovery code instead (startTotpEnrollment), so that a stolen session
    cannot take two-factor off."""
    viewer.require_role(Role.SUPER_ADMIN)
    async with database.transaction():
        user = await _user_for_change(viewer, user_id)
        if user.id == viewer.user.id:
            raise ValidationFailed(
                "You cannot reset your own two-factor authentication: replace it with a code "
                "from your authenticator or a recovery code.",
                field="userId",
            )
        await totp.reset(user)
        await _record(viewer, "TOTP_RESET", user)
    await user.refresh_from_db()
    return user


async def reset_two_factor_by_email(email: str) -> User:
    """The operator's way out when nobody can step up (`crm-backup users reset-two-factor`)."""
    user = await User.get_or_none(email=normalise_email(email))
    if user is None:
        raise NotFound(f"No user with the email {email!r}.")
    async with database.transaction():
        await totp.reset(user)
        await activity.record_event(
            user.account_id,
            None,
            "TOTP_RESET",
            target_type="user",
            target_id=user.id,
            email=user.email,
            by="operator (command line)",
        )
    return user


async def _user_for_change(viewer: Viewer, user_id: str | UUID) -> User:
    """The user, in the viewer's account, with the account's row locked until the transaction
    ends: two super admins demoting or disabling each other at once take turns, so the second
    sees the first's change and the last active super admin stays."""
    await Account.select_for_update().get(id=viewer.account_id)
    user = await User.get_or_none(id=parse_id(user_id), account_id=viewer.account_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def _keep_a_super_admin(user: User, change: str, *, field: str) -> None:
    if user.role != Role.SUPER_ADMIN or user.disabled_at is not None:
        return
    if not await _active_super_admins(user.account_id).exclude(id=user.id).exists():
        raise ValidationFailed(
            f"The account's last active super admin cannot be {change}: make another user a "
            "super admin first.",
            field=field,
        )


def _active_super_admins(account_id: UUID) -> QuerySet[User]:
    """Not disabled, and not still invited: they can sign in."""
    return User.filter(
        account_id=account_id,
        role=Role.SUPER_ADMIN,
        disabled_at__isnull=True,
        invitation_token_hash__isnull=True,
    )


async def _record(viewer: Viewer, action: str, user: User) -> None:
    await activity.record_event(
        viewer.account_id,
        viewer.user.id,
        action,
        target_type="user",
        target_id=user.id,
        email=user.email,
    )
