import strawberry

from schema.context import Info
from schema.imports import Import
from schema.pagination import Connection
from services import imports


async def list_imports(info: Info, first: int = 20, after: str | None = None) -> Connection[Import]:
    page = await imports.list_imports(info.context.require_viewer(), first, after)
    return Connection.from_page(page, Import.from_model)


async def get_import(info: Info, id: strawberry.ID) -> Import:
    return Import.from_model(await imports.get_import(info.context.require_viewer(), str(id)))
