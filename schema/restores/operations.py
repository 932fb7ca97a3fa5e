"""The restores' root fields: planning, starting and reverting restores, reading them back."""

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

import resolvers.restores
from resolvers.context import Info
from schema.pagination import AFTER, FIRST, Connection
from schema.restores.types import Restore
from services import restores


@strawberry.type
class RestoreQueries:
    @strawberry.field(
        description="Restore plans, restores and reverts, newest first. SUPER_ADMIN only (else "
        "FORBIDDEN)."
    )
    async def restores(
        self,
        info: Info,
        first: Annotated[int, FIRST] = 20,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[Restore]:
        page = await resolvers.restores.list_restores(info.context, first, after)
        return Connection.from_page(page, Restore.from_model)

    @strawberry.field(
        description="One restore, plan or revert of the account (else NOT_FOUND). SUPER_ADMIN "
        "only (else FORBIDDEN)."
    )
    async def restore(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The restore's id.")],
    ) -> Restore:
        return Restore.from_model(await resolvers.restores.get_restore(info.context, id))


def _start(kind: restores.RestoreKind) -> Callable[..., Awaitable[Restore]]:
    """startRestore and revertRestore take the same arguments; each starts a plan of its kind."""

    async def start(
        info: Info,
        plan_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The id of the PLANNED plan (a `Restore`) to start."),
        ],
        acknowledge_data_change: Annotated[
            bool,
            strawberry.argument(
                description="Must be true: the user accepts the plan's `dataChangeNotice`."
            ),
        ],
        acknowledge_irreversible: Annotated[
            bool,
            strawberry.argument(
                description="Must be true: the user accepts the plan's `irreversibleNotice`."
            ),
        ],
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
    async def discard_restore_plan(
        self,
        info: Info,
        plan_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The plan (a `Restore`) to put aside."),
        ],
    ) -> Restore:
        return Restore.from_model(await resolvers.restores.discard(info.context, plan_id))

    start_restore: Restore = strawberry.mutation(
        resolver=_start(restores.RestoreKind.RESTORE),
        description="Queues a PLANNED plan compared less than an hour ago: both "
        "acknowledgements true (else VALIDATION_FAILED), a session re-authenticated within 5 "
        "minutes or signed in with SSO (else REAUTH_REQUIRED, or TOTP_NOT_ENROLLED), one "
        "restore per account at a time (else RESTORE_IN_PROGRESS). PLAN_NOT_READY while the "
        "plan is computed; PLAN_STALE once it is over an hour old or its backup expired. "
        "SUPER_ADMIN only (else FORBIDDEN). Follow it with `jobProgress`.",
    )
    revert_restore: Restore = strawberry.mutation(
        resolver=_start(restores.RestoreKind.REVERT),
        description="Queues a revert plan from `planRevert`, under the rules of startRestore.",
    )

    @strawberry.mutation(
        description="Asks a worker what restoring these properties of one object type from a "
        "backup would change (SUPER_ADMIN only, else FORBIDDEN). Answers at once with the "
        "plan, PLAN_QUEUED; follow "
        "it with jobProgress until PLANNED (its `plan` then says what would change) or "
        "PLAN_FAILED (failureCode NOT_IN_BACKUP when the backup's file lacks a property). "
        "Nothing is written."
    )
    async def plan_restore(
        self,
        info: Info,
        backup_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="A SUCCEEDED backup of the account (NOT_FOUND; BACKUP_EXPIRED after "
                "its 14 days)."
            ),
        ],
        object_type: Annotated[
            str,
            strawberry.argument(
                description="The object type's name; one the backup holds (else "
                "VALIDATION_FAILED) and a restore may set (else NOT_RESTORABLE)."
            ),
        ],
        properties: Annotated[
            list[str],
            strawberry.argument(description="The names of the properties to restore; one or more."),
        ],
        record_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="Restore only these records (1 to 10,000 ids; else "
                "VALIDATION_FAILED); null: every record the backup holds."
            ),
        ] = None,
        comparison_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Restore only the records this comparison found changed, deleted or "
                "purged in the object type: a SUCCEEDED comparison of the account (else NOT_FOUND "
                "or VALIDATION_FAILED) whose fromBackupId is `backupId` (else "
                "VALIDATION_FAILED); not with recordIds."
            ),
        ] = None,
    ) -> Restore:
        plan = await resolvers.restores.plan_restore(
            info.context,
            backup_id,
            object_type,
            properties,
            record_ids=None if record_ids is None else [str(each) for each in record_ids],
            comparison_id=comparison_id,
        )
        return Restore.from_model(plan)

    @strawberry.mutation(
        description="Asks a worker what putting back the values a restore overwrote would "
        "change, within 14 days of it; records changed again since are conflicts, left alone. "
        "Answers at once, PLAN_QUEUED, like planRestore. A restore not finished, already "
        "reverted or past its 14 days is VALIDATION_FAILED. SUPER_ADMIN only (else FORBIDDEN)."
    )
    async def plan_revert(
        self,
        info: Info,
        restore_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The finished restore (kind RESTORE) to revert."),
        ],
    ) -> Restore:
        return Restore.from_model(await resolvers.restores.plan_revert(info.context, restore_id))
