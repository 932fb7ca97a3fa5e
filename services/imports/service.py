"""The account's imports list (uploaded files and finished restores), and starting an import
from an uploaded file."""

import asyncio
import functools
import unicodedata
from pathlib import Path
from uuid import UUID

from tortoise.queryset import QuerySet

from models.accounts import Role
from models.ids import new_id
from models.imports import Import, ImportSource
from services import activity, jobs, storage
from services.core.errors import NotFound
from services.core.ids import parse_id
from services.core.pagination import Page, paginate
from services.core.viewer import Viewer
from services.imports.files import account_types, inspect_upload
from services.storage import import_key

NAME_PREFIX = "Import - "
NAME_CHARS = 200


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


def import_name(file_name: str) -> str:
    """ "Import - <file name>", from a name the client chose: its last path segment, without
    control characters, cut to fit."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    shown = "".join(char for char in base if not unicodedata.category(char).startswith("C"))
    return NAME_PREFIX + (shown.strip() or "upload")[: NAME_CHARS - len(NAME_PREFIX)]


async def start_file_import(
    viewer: Viewer, upload: Path, file_name: str, object_type_name: str = ""
) -> Import:
    """Queue the import of an uploaded backup ZIP, or of a CSV of `object_type_name`, after
    the quick checks (the job verifies the rest before it writes anything)."""
    viewer.require_role(Role.SUPER_ADMIN)
    types = await account_types(viewer.account_id)
    await asyncio.to_thread(inspect_upload, upload, object_type_name, types)
    files = storage.current()
    import_id = new_id()
    key = import_key(viewer.account_id, import_id)
    await files.put_file(key, upload)
    async with jobs.queueing(jobs.IMPORT_FILE, undo=functools.partial(files.delete, key)) as queued:
        job = await queued.create(
            id=import_id,
            account_id=viewer.account_id,
            name=import_name(file_name),
            source=ImportSource.FILE,
            requested_by=viewer.user,
            storage_key=key,
            object_type_name=object_type_name,
        )
        await activity.record_event(
            viewer.account_id,
            viewer.user.id,
            "IMPORT_STARTED",
            target_type="import",
            target_id=job.id,
            name=job.name,
        )
    return job
