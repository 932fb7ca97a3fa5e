"""The restores' root fields: planning, starting and reverting restores, reading them back."""

from collections.abc import Awaitable, Callable

import strawberry

import resolvers.restores
from resolvers.context import Info
from schema.pagination import Connection
from schema.restores.types import Restore
from services import restores


@strawberry.type
class RestoreQueries:
    @strawberry.field(
        description="Restore plans, restores and reverts, newest first (SUPER_ADMIN)."
    )
    async def restores(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Restore]:
        page = await resolvers.restores.list_restores(info.context, first, after)
        return Connection.from_page(page, Restore.from_model)

    @strawberry.field(description="SUPER_ADMIN.")
    async def restore(self, info: Info, id: strawberry.ID) -> Restore:
        return Restore.from_model(await resolvers.restores.get_restore(info.context, id))


def _start(kind: restores.RestoreKind) -> Callable[..., Awaitable[Restore]]:
    """startRestore and revertRestore take the same arguments; each starts a plan of its kind."""

    async def start(
        info: Info,
        plan_id: strawberry.ID,
        acknowledge_data_change: bool,
        acknowledge_irreversible: bool,
    ) -> Restore:
        started = await resolvers.restores.start(
            info.context,
            plan_id,
            kind,
            acknowledge_data_change=acknowledge_data_change,
            acknowledge_irreversible=acknowledge_irreversible,
        )
        return Restore.from_model(started)

    return start


@strawberry.type
class RestoreMutations:
    @strawberry.mutation(
        description="Puts aside a plan that was not started (PLANNED or PLAN_FAILED) as "
        "PLAN_DISCARDED: it can no longer be started, and the page stops offering it "
        "(SUPER_ADMIN). Discarding a discarded plan again returns it as it is."
    )
    async def discard_restore_plan(self, info: Info, plan_id: strawberry.ID) -> Restore:
        return Restore.from_model(await resolvers.restores.discard(info.context, plan_id))

    start_restore: Restore = strawberry.mutation(
        resolver=_start(restores.RestoreKind.RESTORE),
        description="Queues a PLANNED plan compared less than an hour ago (PLAN_NOT_READY while "
        "its job runs): both acknowledgements true, a session re-authenticated within 5 minutes "
        "(or SSO), one restore per account at a time.",
    )
    revert_restore: Restore = strawberry.mutation(
        resolver=_start(restores.RestoreKind.REVERT),
        description="Queues a revert plan from `planRevert`, under the rules of startRestore.",
    )

    @strawberry.mutation(
        description="Asks a worker what restoring these properties of one object type from a "
        "backup would change (SUPER_ADMIN). Answers at once with the plan, PLAN_QUEUED; follow "
        "it with jobProgress until PLANNED (its `plan` then says what would change) or "
        "PLAN_FAILED (failureCode NOT_IN_BACKUP when the backup's file lacks a property). "
        "Nothing is written."
    )
    async def plan_restore(
        self, info: Info, backup_id: strawberry.ID, object_type: str, properties: list[str]
    ) -> Restore:
        plan = await resolvers.restores.plan_restore(
            info.context, backup_id, object_type, properties
        )
        return Restore.from_model(plan)

    @strawberry.mutation(
        description="Asks a worker what putting back the values a restore overwrote would "
        "change, within 14 days of it; records changed again since are conflicts, left alone. "
        "Answers at once, PLAN_QUEUED, like planRestore."
    )
    async def plan_revert(self, info: Info, restore_id: strawberry.ID) -> Restore:
        return Restore.from_model(await resolvers.restores.plan_revert(info.context, restore_id))
