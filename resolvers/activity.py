"""The viewer's notifications, read, counted and live; the account's audit log."""

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from uuid import UUID

from resolvers.context import Context
from services import activity
from services.accounts import Scope
from services.core.ids import parse_id
from services.core.pagination import Page, paginate


async def list_notifications(
    context: Context, first: int, after: str | None, unread_only: bool
) -> Page[activity.Notification]:
    notifications = activity.notifications_of(context.require_viewer(), unread_only=unread_only)
    return await paginate(notifications, first, after, newest_first=True)


async def unread_count(context: Context) -> int:
    return await activity.unread_count(context.require_viewer())


async def mark_read(context: Context, ids: Sequence[str] | None) -> int:
    viewer = context.require_viewer()
    parsed: list[UUID] | None = None if ids is None else [parse_id(item) for item in ids]
    return await activity.mark_read(viewer, parsed)


async def live_notifications(context: Context) -> AsyncIterator[activity.Notification]:
    return activity.live_notifications(context.require_viewer())


async def audit_log(
    context: Context, first: int, after: str | None, wanted: activity.AuditFilter
) -> Page[activity.AuditEvent]:
    return await activity.audit_log(context.require_viewer(Scope.READ), first, after, wanted)


async def audit_actions(context: Context) -> list[str]:
    return await activity.audit_actions(context.require_viewer(Scope.READ))


def audit_log_export_url(context: Context, wanted: activity.AuditFilter) -> str:
    token = activity.audit_log_export_token(context.require_viewer(Scope.DOWNLOADS), wanted)
    return context.link("download_audit_log", token=token)


def audit_filter(
    action: str | None, actor_id: str | None, since: datetime | None, until: datetime | None
) -> activity.AuditFilter:
    """Checked as it enters: an actor id that is not one is NOT_FOUND, like an unknown one."""
    return activity.AuditFilter(
        action=action or None,
        actor_id=parse_id(actor_id) if actor_id else None,
        since=since,
        until=until,
    )
