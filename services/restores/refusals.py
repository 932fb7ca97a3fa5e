"""The rows of an uploaded file that a restore's plan refused, with their values and why: a page
of them, and those of one object type as a CSV through a short-lived signed link, in the shape
of an upload of that type (`id`, the file's columns) plus a last column saying why, which an
upload ignores, so the file can be fixed and sent again. Refusals of several object types also
come as one ZIP holding each type's CSV (`<object type>.csv`).
"""

import asyncio
import csv
import io
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

from tortoise.queryset import QuerySet

from models.restores import Restore, RestoreRefusal
from services import activity
from services.core.errors import NotFound
from services.core.pagination import Page, paginate
from services.core.signing import DownloadLinks
from services.core.viewer import Viewer
from services.imports import REFUSAL_REASON_HEADER
from services.restores.summary import PlanSummary

LINKS = DownloadLinks("refused-rows-download")
STREAM_PAGE = 1_000


def _of(restore_id: UUID, object_type: str | None = None) -> QuerySet[RestoreRefusal]:
    refusals = RestoreRefusal.filter(restore_id=restore_id)
    return refusals if object_type is None else refusals.filter(object_type_name=object_type)


async def refused_rows(restore: Restore, first: int, after: str | None) -> Page[RestoreRefusal]:
    """In file order. `restore` was read for the viewer, who may therefore see its rows."""
    return await paginate(_of(restore.id), first, after)


def download_token(viewer: Viewer, restore: Restore) -> str:
    """A token for links to the CSVs of the restore's refused rows, valid for minutes."""
    return LINKS.token(viewer, restore.id)


async def refused_object_types(restore: Restore) -> list[str]:
    """The object types the restore's plan refused rows of, by name."""
    names = await _of(restore.id).distinct().values_list("object_type_name", flat=True)
    return sorted(str(name) for name in names)


async def open_download(token: str, object_type: str) -> tuple[Restore, list[str]]:
    """The restore a link points at and the columns of its file of `object_type`,
    audit-logged as downloaded."""
    restore = await _opened(token, object_type)
    columns = _columns(restore, object_type)
    assert columns is not None  # Checked by `_opened`.
    return restore, columns


async def open_zip_download(token: str) -> Restore:
    """The restore a link to all its refused rows points at, audit-logged as downloaded."""
    return await _opened(token)


async def _opened(token: str, object_type: str | None = None) -> Restore:
    target = LINKS.target(token)
    restore = await Restore.get_or_none(id=target.object_id, account_id=target.account_id)
    if restore is None or (object_type is not None and _columns(restore, object_type) is None):
        raise NotFound("No such refused rows.")
    await activity.record_download(
        target,
        "REFUSED_ROWS_DOWNLOADED",
        "restore",
        **({} if object_type is None else {"object_type": object_type}),
    )
    return restore


def _columns(restore: Restore, object_type: str) -> list[str] | None:
    """The columns of the restore's file of `object_type`, from its plan."""
    if not restore.plan:
        return None
    plans = PlanSummary.model_validate(restore.plan).objects
    planned = next((plan for plan in plans if plan.object_type == object_type), None)
    return None if planned is None else [prop.name for prop in planned.properties]


def _encode(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode()


async def csv_stream(
    restore: Restore, object_type: str, columns: list[str]
) -> AsyncIterator[bytes]:
    """Values exactly as the file held them, as in a backup (see the README on opening one
    in a spreadsheet)."""
    yield _encode([["id", *columns, REFUSAL_REASON_HEADER]])
    last: UUID | None = None
    while True:
        page = _of(restore.id, object_type)
        if last is not None:
            page = page.filter(id__gt=last)
        refusals = await page.order_by("id").limit(STREAM_PAGE)
        if not refusals:
            return
        yield _encode(
            [
                [row.record_id, *(row.values.get(name, "") for name in columns), row.reason]
                for row in refusals
            ]
        )
        last = refusals[-1].id


async def zip_file(restore: Restore, directory: Path) -> Path:
    """Each refused object type's CSV (as `csv_stream` gives it) in a new ZIP file in
    `directory`, written as the rows are read, so memory does not grow with them; the caller
    deletes the file."""
    path = await asyncio.to_thread(_new_file, directory)
    try:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for object_type in await refused_object_types(restore):
                columns = _columns(restore, object_type) or []
                with archive.open(f"{object_type}.csv", "w") as member:
                    async for chunk in csv_stream(restore, object_type, columns):
                        member.write(chunk)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return path


def _new_file(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".zip", delete=False) as file:
        return Path(file.name)
