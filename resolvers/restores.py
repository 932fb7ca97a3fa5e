from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from models.restores import RestoreKind
from schema.context import Info
from schema.pagination import Connection
from schema.restores import RecordChange, Restore
from services import crm, restores
from services.crm import get_object_type


async def plan_restore(
    info: Info, backup_id: strawberry.ID, object_type: str, properties: list[str]
) -> Restore:
    viewer = info.context.require_viewer()
    plan = await restores.plan_restore(viewer, str(backup_id), object_type, properties)
    return Restore.from_model(plan)


async def start_restore(
    info: Info,
    plan_id: strawberry.ID,
    acknowledge_data_change: bool,
    acknowledge_irreversible: bool,
) -> Restore:
    return await _start(
        info, plan_id, RestoreKind.RESTORE, acknowledge_data_change, acknowledge_irreversible
    )


async def plan_revert(info: Info, restore_id: strawberry.ID) -> Restore:
    viewer = info.context.require_viewer()
    return Restore.from_model(await restores.plan_revert(viewer, str(restore_id)))


async def revert_restore(
    info: Info,
    plan_id: strawberry.ID,
    acknowledge_data_change: bool,
    acknowledge_irreversible: bool,
) -> Restore:
    return await _start(
        info, plan_id, RestoreKind.REVERT, acknowledge_data_change, acknowledge_irreversible
    )


async def _start(
    info: Info, plan_id: strawberry.ID, kind: RestoreKind, data_change: bool, irreversible: bool
) -> Restore:
    started = await restores.start(
        info.context.require_viewer(),
        str(plan_id),
        kind,
        acknowledge_data_change=data_change,
        acknowledge_irreversible=irreversible,
    )
    return Restore.from_model(started)


async def list_restores(
    info: Info, first: int = 20, after: str | None = None
) -> Connection[Restore]:
    page = await restores.list_restores(info.context.require_viewer(), first, after)
    return Connection.from_page(page, Restore.from_model)


async def get_restore(info: Info, id: strawberry.ID) -> Restore:
    return Restore.from_model(await restores.get_restore(info.context.require_viewer(), str(id)))


async def record_changes(info: Info, object_type: str) -> AsyncGenerator[RecordChange, None]:
    viewer = info.context.require_viewer()
    # NOT_FOUND for a type the account does not have; the channel is the account's own.
    await get_object_type(viewer.account_id, object_type)
    async with aclosing(crm.live_record_changes(viewer.account_id, object_type)) as changes:
        async for change in changes:
            yield RecordChange.from_event(change)
