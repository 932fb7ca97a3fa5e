"""The account's imports list: restores from a backup or from an uploaded file, once finished."""

import unicodedata
from uuid import UUID

from tortoise.queryset import QuerySet

from models.accounts import Role
from models.imports import Import
from services.core.errors import NotFound
from services.core.ids import parse_id
from services.core.pagination import Page, paginate
from services.core.viewer import Viewer

# Restore.file_name's length, less room for the longest name an import entry gives it
# ("Import reverted - ", in Import.name's 200).
FILE_NAME_CHARS = 180


def _of_account(viewer: Viewer) -> QuerySet[Import]:
    viewer.require_role(Role.SUPER_ADMIN)
    return Import.filter(account_id=viewer.account_id).select_related("requested_by")


async def list_imports(viewer: Viewer, first: int, after: str | None) -> Page[Import]:
    return await paginate(_of_account(viewer), first, after, newest_first=True)


async def get_import(viewer: Viewer, import_id: str | UUID) -> Import:
    found = await _of_account(viewer).get_or_none(id=parse_id(import_id))
    if found is None:
        raise NotFound(f"No import with the id {import_id}.")
    return found


def shown_file_name(file_name: str) -> str:
    """A name the client chose for its file, as shown: its last path segment, without control
    characters, cut to fit."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    shown = "".join(char for char in base if not unicodedata.category(char).startswith("C"))
    return (shown.strip() or "upload")[:FILE_NAME_CHARS]
