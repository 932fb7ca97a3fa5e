"""The activity root fields: notifications (listed, counted, marked read, live) and the audit
log."""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated

import strawberry

import resolvers.activity
from resolvers.context import Info
from schema.activity.types import AuditEvent, AuditLogFilter, Notification
from schema.pagination import AFTER, FIRST, Connection

FILTER = strawberry.argument(description="Only the entries that match it; null: all.")


@strawberry.type
class ActivityQueries:
    @strawberry.field(
        description="The signed-in user's notifications, newest first. Any signed-in user."
    )
    async def notifications(
        self,
        info: Info,
        first: Annotated[int, FIRST] = 20,
        after: Annotated[str | None, AFTER] = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only those not marked read yet.")
        ] = False,
    ) -> Connection[Notification]:
        page = await resolvers.activity.list_notifications(info.context, first, after, unread_only)
        return Connection.from_page(page, Notification.from_model)

    @strawberry.field(
        description="How many of the signed-in user's notifications are unread. Any signed-in user."
    )
    async def unread_notification_count(self, info: Info) -> int:
        return await resolvers.activity.unread_count(info.context)

    @strawberry.field(
        description="The account's audit log, newest first. ADMIN or SUPER_ADMIN (else "
        "FORBIDDEN); an `actorId` of no user of the account is NOT_FOUND."
    )
    async def audit_log(
        self,
        info: Info,
        first: Annotated[int, FIRST] = 50,
        after: Annotated[str | None, AFTER] = None,
        filter: Annotated[AuditLogFilter | None, FILTER] = None,
    ) -> Connection[AuditEvent]:
        wanted = (filter or AuditLogFilter()).to_filter()
        page = await resolvers.activity.audit_log(info.context, first, after, wanted)
        return Connection.from_page(page, AuditEvent.from_model)

    @strawberry.field(
        description="The actions the account's audit log holds, for `AuditLogFilter.action`. "
        "ADMIN or SUPER_ADMIN (else FORBIDDEN)."
    )
    async def audit_log_actions(self, info: Info) -> list[str]:
        return await resolvers.activity.audit_actions(info.context)

    @strawberry.field(
        description="A signed link, valid 5 minutes, to the filtered audit log as a CSV file "
        "(ADMIN or SUPER_ADMIN, else FORBIDDEN). Cells that a spreadsheet would run as a "
        "formula begin with an apostrophe."
    )
    def audit_log_export_url(
        self, info: Info, filter: Annotated[AuditLogFilter | None, FILTER] = None
    ) -> str:
        wanted = (filter or AuditLogFilter()).to_filter()
        return resolvers.activity.audit_log_export_url(info.context, wanted)


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(
        description="Marks the signed-in user's notifications read; returns how many were "
        "unread. Any signed-in user."
    )
    async def mark_notifications_read(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="The notifications to mark; null: all of the user's. Ids of "
                "others are ignored."
            ),
        ] = None,
    ) -> int:
        return await resolvers.activity.mark_read(info.context, ids)


@strawberry.type
class ActivitySubscriptions:
    @strawberry.subscription(
        description="The signed-in user's notifications as they arrive (none of the past). Any "
        "signed-in user."
    )
    async def notifications(self, info: Info) -> AsyncGenerator[Notification, None]:
        live = await resolvers.activity.live_notifications(info.context)
        # Closing the source leaves the event-bus channel when the client completes or
        # disconnects. `live` is an async generator, though typed as an iterator.
        async with aclosing(live) as notifications:  # type: ignore[type-var]
            async for notification in notifications:
                yield Notification.from_model(notification)
