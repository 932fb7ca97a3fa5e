from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from schema.context import Info
from schema.notifications import Notification
from schema.pagination import Connection
from services import activity
from services.core.ids import parse_id
from services.core.pagination import paginate


async def list_notifications(
    info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
) -> Connection[Notification]:
    viewer = info.context.require_viewer()
    queryset = activity.notifications_of(viewer, unread_only=unread_only)
    page = await paginate(queryset, first, after, newest_first=True)
    return Connection.from_page(page, Notification.from_model)


async def unread_count(info: Info) -> int:
    return await activity.unread_count(info.context.require_viewer())


async def mark_read(info: Info, ids: list[strawberry.ID] | None = None) -> int:
    viewer = info.context.require_viewer()
    parsed = None if ids is None else [parse_id(str(item)) for item in ids]
    return await activity.mark_read(viewer, parsed)


async def live(info: Info) -> AsyncGenerator[Notification, None]:
    viewer = info.context.require_viewer()
    # Closing the source leaves the event-bus channel when the client completes or disconnects.
    # `live` is an async generator, though typed as an iterator.
    async with aclosing(activity.live_notifications(viewer)) as stream:  # type: ignore[type-var]
        async for notification in stream:
            yield Notification.from_model(notification)
