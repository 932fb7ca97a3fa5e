"""The account's imports list: uploaded files and finished restores."""

from uuid import UUID

from models.imports import Import
from services.auth import Viewer
from services.errors import NotFound
from services.ids import parse_id
from services.pagination import Page, paginate


async def list_imports(viewer: Viewer, first: int, after: str | None) -> Page[Import]:
    queryset = Import.filter(account_id=viewer.account_id).select_related("requested_by")
    return await paginate(queryset, first, after, newest_first=True)


async def get_import(viewer: Viewer, import_id: str | UUID) -> Import:
    found = (
        await Import.filter(account_id=viewer.account_id)
        .select_related("requested_by")
        .get_or_none(id=parse_id(import_id))
    )
    if found is None:
        raise NotFound(f"No import with the id {import_id}.")
    return found
