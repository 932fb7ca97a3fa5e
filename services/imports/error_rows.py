"""The rows an import refused: a page of them, and all of them as a CSV through a short-lived
signed link (like backup downloads), streamed in pages so memory does not grow with them. An
import from a file shows the rows its restore's plan refused; one made before imports were
planned, its own.

A reason names properties and what they accept, never a value from the file, so nothing
sensitive is repeated here (the restore's plan offers the rows with their values, to fix).
"""

import csv
import io
from collections.abc import AsyncIterator
from uuid import UUID

from tortoise.queryset import QuerySet

from models.imports import Import, ImportRowError
from models.restores import RestoreRefusal
from services import activity
from services.core.errors import NotFound
from services.core.pagination import Page, paginate
from services.core.signing import DownloadLinks
from services.core.viewer import Viewer

LINKS = DownloadLinks("import-errors-download")
CSV_HEADER = ("object_type", "row_number", "record_id", "reason")
STREAM_PAGE = 1_000
# A spreadsheet runs a cell starting with one of these as a formula; a quote keeps it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A refused row, of either kind: both have `object_type_name`, `row_number`, `record_id` and
# `reason`.
ErrorRow = ImportRowError | RestoreRefusal


def _of(job: Import) -> QuerySet[ImportRowError] | QuerySet[RestoreRefusal]:
    if job.restore_id is not None:
        return RestoreRefusal.filter(restore_id=job.restore_id)
    return ImportRowError.filter(import_job_id=job.id)


async def error_rows(job: Import, first: int, after: str | None) -> Page[ErrorRow]:
    """In file order. `job` comes from `imports.get_import`, which checked the viewer."""
    return await paginate(_of(job), first, after)  # type: ignore[arg-type]


async def has_error_rows(job: Import) -> bool:
    return await _of(job).exists()


def download_token(viewer: Viewer, job: Import) -> str:
    """A token for a link to the CSV of the import's error rows, valid for minutes."""
    return LINKS.token(viewer, job.id)


async def open_download(token: str) -> Import:
    """The import a link points at, audit-logged as downloaded."""
    target = LINKS.target(token)
    job = await Import.get_or_none(id=target.object_id, account_id=target.account_id)
    if job is None:
        raise NotFound("No such import.")
    await activity.record_download(target, "IMPORT_ERRORS_DOWNLOADED", "import")
    return job


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _encode(rows: list[tuple[str, ...]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode()


async def csv_stream(job: Import) -> AsyncIterator[bytes]:
    yield _encode([CSV_HEADER])
    last: UUID | None = None
    while True:
        page = _of(job) if last is None else _of(job).filter(id__gt=last)
        errors = await page.order_by("id").limit(STREAM_PAGE)
        if not errors:
            return
        yield _encode(
            [
                (
                    error.object_type_name,
                    str(error.row_number),
                    _cell(error.record_id),
                    _cell(error.reason),
                )
                for error in errors
            ]
        )
        last = errors[-1].id
