import strawberry

from schema.backups import Backup
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
