"""Restores and reverts: planning them, starting a plan, reading them back with the rows of a
file they refused."""

from datetime import datetime
from uuid import UUID

from resolvers.context import Context
from services import crm, restores
from services.accounts import Scope
from services.core.pagination import Page


async def plan_restore(
    context: Context,
    backup_id: str,
    object_type: str,
    properties: list[str],
    *,
    record_ids: list[str] | None,
    comparison_id: str | None,
) -> restores.Restore:
    viewer = context.require_viewer(Scope.RESTORES)
    return await restores.plan_restore(
        viewer,
        backup_id,
        object_type,
        properties,
        record_ids=record_ids,
        comparison_id=comparison_id,
    )


async def plan_revert(context: Context, restore_id: str) -> restores.Restore:
    return await restores.plan_revert(context.require_viewer(Scope.RESTORES), restore_id)


async def start(
    context: Context,
    plan_id: str,
    kind: restores.RestoreKind,
    *,
    acknowledge_data_change: bool,
    acknowledge_irreversible: bool,
) -> restores.Restore:
    """Queues a plan of `kind`: startRestore a RESTORE plan, revertRestore a REVERT plan."""
    return await restores.start(
        context.require_viewer(Scope.RESTORES),
        plan_id,
        kind,
        acknowledge_data_change=acknowledge_data_change,
        acknowledge_irreversible=acknowledge_irreversible,
    )


async def discard(context: Context, plan_id: str) -> restores.Restore:
    return await restores.discard(context.require_viewer(Scope.RESTORES), plan_id)


async def list_restores(context: Context, first: int, after: str | None) -> Page[restores.Restore]:
    return await restores.list_restores(context.require_viewer(Scope.READ), first, after)


async def get_restore(context: Context, restore_id: str) -> restores.Restore:
    return await restores.get_restore(context.require_viewer(Scope.READ), restore_id)


async def revertible_until(restore: restores.Restore) -> datetime | None:
    return await restores.revertible_until(restore)


def restorable(object_type: str) -> bool:
    return restores.restorable(object_type)


async def startable_until(restore: restores.Restore) -> datetime | None:
    return await restores.startable_until(restore)


async def names(
    restore: restores.Restore, object_types: set[str], record_ids: list[UUID] | None = None
) -> crm.Names:
    """`restore` was read for the viewer, who may therefore see its records' names."""
    return await crm.names_of(restore.account_id, object_types, record_ids or [])


async def refused_rows(
    restore: restores.Restore, first: int, after: str | None
) -> Page[restores.RestoreRefusal]:
    """`restore` was read for the viewer, who may therefore see its rows."""
    return await restores.refused_rows(restore, first, after)


def refused_rows_download_url(context: Context, restore: restores.Restore, object_type: str) -> str:
    token = restores.refused_rows_download_token(context.require_viewer(Scope.DOWNLOADS), restore)
    return context.link("download_refused_rows", token=token, object_type=object_type)


async def id_map_download_url(context: Context, restore: restores.Restore) -> str | None:
    if not await restores.has_id_map(restore):
        return None
    token = restores.id_map_download_token(context.require_viewer(Scope.DOWNLOADS), restore)
    return context.link("download_id_map", token=token)
