from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

from schema.backups import Backup, JobProgress
from schema.context import Info
from schema.pagination import Connection
from services import backups


async def create_backup(info: Info, confirm: bool) -> Backup:
    viewer = info.context.require_viewer()
    return Backup.from_model(await backups.request_manual_backup(viewer, confirm=confirm))


async def list_backups(info: Info, first: int = 20, after: str | None = None) -> Connection[Backup]:
    page = await backups.list_backups(info.context.require_viewer(), first, after)
    return Connection.from_page(page, Backup.from_model)


async def get_backup(info: Info, id: strawberry.ID) -> Backup:
    return Backup.from_model(await backups.get_backup(info.context.require_viewer(), str(id)))


async def job_progress(info: Info, id: strawberry.ID) -> AsyncGenerator[JobProgress, None]:
    viewer = info.context.require_viewer()
    async with aclosing(backups.watch(viewer, str(id))) as events:
        async for event in events:
            yield JobProgress.from_event(event)
