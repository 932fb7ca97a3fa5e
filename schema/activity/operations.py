"""The activity root fields: notifications (listed, counted, marked read, live) and the audit
log."""

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

import resolvers.activity
from resolvers.context import Info
from schema.activity.types import AuditEvent, AuditLogFilter, Notification
from schema.pagination import Connection


@strawberry.type
class ActivityQueries:
    @strawberry.field(description="The signed-in user's notifications, newest first.")
    async def notifications(
        self, info: Info, first: int = 20, after: str | None = None, unread_only: bool = False
    ) -> Connection[Notification]:
        page = await resolvers.activity.list_notifications(info.context, first, after, unread_only)
        return Connection.from_page(page, Notification.from_model)

    @strawberry.field
    async def unread_notification_count(self, info: Info) -> int:
        return await resolvers.activity.unread_count(info.context)

    @strawberry.field(description="The account's audit log, newest first (ADMIN, SUPER_ADMIN).")
    async def audit_log(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        filter: AuditLogFilter | None = None,
    ) -> Connection[AuditEvent]:
        wanted = (filter or AuditLogFilter()).to_filter()
        page = await resolvers.activity.audit_log(info.context, first, after, wanted)
        return Connection.from_page(page, AuditEvent.from_model)

    @strawberry.field(description="The actions the audit log holds (ADMIN, SUPER_ADMIN).")
    async def audit_log_actions(self, info: Info) -> list[str]:
        return await resolvers.activity.audit_actions(info.context)

    @strawberry.field(
        description="A signed link, valid 5 minutes, to the filtered audit log as a CSV file "
        "(ADMIN, SUPER_ADMIN). Cells that a spreadsheet would run as a formula begin with an "
        "apostrophe."
    )
    def audit_log_export_url(self, info: Info, filter: AuditLogFilter | None = None) -> str:
        wanted = (filter or AuditLogFilter()).to_filter()
        return resolvers.activity.audit_log_export_url(info.context, wanted)


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(
        description="Marks notifications (all when `ids` is null) read; returns how many."
    )
    async def mark_notifications_read(
        self, info: Info, ids: list[strawberry.ID] | None = None
    ) -> int:
        return await resolvers.activity.mark_read(info.context, ids)


@strawberry.type
class ActivitySubscriptions:
    @strawberry.subscription(description="The signed-in user's notifications as they arrive.")
    async def notifications(self, info: Info) -> AsyncGenerator[Notification, None]:
        live = await resolvers.activity.live_notifications(info.context)
        # Closing the source leaves the event-bus channel when the client completes or
        # disconnects. `live` is an async generator, though typed as an iterator.
        async with aclosing(live) as notifications:  # type: ignore[type-var]
            async for notification in notifications:
                yield Notification.from_model(notification)
