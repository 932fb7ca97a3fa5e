"""Inviting users and managing their roles (super admins only)."""

import secrets
from datetime import timedelta
from uuid import UUID

from models.accounts import Account, AuthMethod, Role, User
from services import activity
from services.accounts import access_changes, passwords
from services.accounts.accounts import check_password_strength, create_user
from services.accounts.sessions import hash_token, start_session
from services.core import database
from services.core.clock import now
from services.core.errors import NotFound, Unauthenticated, ValidationFailed
from services.core.ids import parse_id
from services.core.text import check_text
from services.core.viewer import Viewer

INVITATION_LIFETIME = timedelta(days=7)


async def list_users(viewer: Viewer) -> list[User]:
    return await User.filter(account_id=viewer.account_id).order_by("email")


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
    user.password_hash = passwords.hash_password(password)
    user.invitation_token_hash = None
    user.invitation_expires_at = None
    await user.save(
        update_fields=["password_hash", "invitation_token_hash", "invitation_expires_at"]
    )
    return await start_session(user, AuthMethod.PASSWORD), user


async def set_user_role(viewer: Viewer, user_id: str | UUID, role: Role) -> User:
    viewer.require_role(Role.SUPER_ADMIN)
    async with database.transaction():
        user = await User.get_or_none(id=parse_id(user_id), account_id=viewer.account_id)
        if user is None:
            raise NotFound("No such user.")
        if user.role == Role.SUPER_ADMIN and role != Role.SUPER_ADMIN:
            others = (
                await User.filter(account_id=viewer.account_id, role=Role.SUPER_ADMIN)
                .exclude(id=user.id)
                .count()
            )
            if others == 0:
                raise ValidationFailed("An account keeps at least one super admin.", field="role")
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
