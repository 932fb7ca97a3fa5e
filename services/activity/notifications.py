"""Stored notifications, pushed live to the users they are for."""

from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from uuid import UUID

from tortoise.queryset import QuerySet

from models.accounts import Role, User
from models.notifications import Notification
from services import events
from services.core.clock import now
from services.core.viewer import Viewer


def channel(user_id: UUID) -> str:
    return f"notifications:{user_id}"


def as_message(notification: Notification) -> dict[str, str]:
    return {"id": str(notification.id)}


async def notify(
    users: Iterable[User], kind: str, title: str, body: str = "", *, subject_id: str = ""
) -> list[Notification]:
    """Store one notification per user, then push it (call after the work it reports committed)."""
    stored = [
        await Notification.create(
            account_id=user.account_id,
            user=user,
            kind=kind,
            title=title,
            body=body,
            subject_id=subject_id,
        )
        for user in users
    ]
    for notification in stored:
        await events.announce(channel(notification.user_id), as_message(notification))
    return stored


async def notify_super_admins(
    account_id: UUID, kind: str, title: str, body: str = "", *, subject_id: str = ""
) -> list[Notification]:
    admins = await User.filter(account_id=account_id, role=Role.SUPER_ADMIN)
    return await notify(admins, kind, title, body, subject_id=subject_id)


def for_viewer(viewer: Viewer, *, unread_only: bool = False) -> QuerySet[Notification]:
    queryset = Notification.filter(user_id=viewer.user.id)
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


async def unread_count(viewer: Viewer) -> int:
    return await for_viewer(viewer, unread_only=True).count()


async def mark_read(viewer: Viewer, ids: list[UUID] | None) -> int:
    """Mark the given notifications (all of the viewer's when None) read; returns how many."""
    queryset = for_viewer(viewer, unread_only=True)
    if ids is not None:
        queryset = queryset.filter(id__in=ids)
    read_at: datetime = now()
    return await queryset.update(read_at=read_at)


async def live(viewer: Viewer) -> AsyncIterator[Notification]:
    """Notifications for the viewer as they are created."""
    async with events.bus().subscribe(channel(viewer.user.id)) as messages:
        async for message in messages:
            notification = await Notification.get_or_none(id=message["id"], user_id=viewer.user.id)
            if notification is not None:
                yield notification
