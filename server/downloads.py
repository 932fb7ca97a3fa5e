"""File downloads through signed links: streamed, never sent through GraphQL."""

from collections.abc import AsyncIterator

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from services import activity, backups, comparisons, imports, restores, storage
from services.backups import BackupExpired
from services.core import environment
from services.core.clock import now
from services.core.errors import DomainError, NotFound

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


async def download_backup(request: Request) -> Response:
    try:
        backup = await backups.open_download(request.path_params["token"])
    except NotFound as error:
        return _not_found(error)
    except BackupExpired as error:
        return PlainTextResponse(error.message, status_code=410, headers=NO_STORE)
    except DomainError as error:
        return PlainTextResponse(error.message, status_code=409, headers=NO_STORE)
    filename = backups.download_name(backup)
    return StreamingResponse(
        storage.current().open_stream(backup.storage_key),
        media_type="application/zip",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(backup.size_bytes),
        },
    )


def _not_found(error: NotFound) -> Response:
    return PlainTextResponse(error.message, status_code=404, headers=NO_STORE)


def _csv(rows: AsyncIterator[bytes] | AsyncIterator[str], filename: str) -> Response:
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def download_import_errors(request: Request) -> Response:
    try:
        job = await imports.open_error_rows_download(request.path_params["token"])
    except NotFound as error:
        return _not_found(error)
    return _csv(imports.error_rows_csv(job), f"import-errors-{job.id}.csv")


async def download_refused_rows(request: Request) -> Response:
    object_type = request.path_params["object_type"]
    try:
        restore, columns = await restores.open_refused_rows_download(
            request.path_params["token"], object_type
        )
    except NotFound as error:
        return _not_found(error)
    rows = restores.refused_rows_csv(restore, object_type, columns)
    return _csv(rows, f"refused-{object_type}-{restore.id}.csv")


async def download_all_refused_rows(request: Request) -> Response:
    """Refused rows of several object types: a ZIP of their CSVs, written to the work
    directory first (a ZIP's listing comes last) and deleted once sent."""
    try:
        restore = await restores.open_all_refused_rows_download(request.path_params["token"])
    except NotFound as error:
        return _not_found(error)
    path = await restores.refused_rows_zip(restore, environment.current().work_dir)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"refused-{restore.id}.zip",
        headers=NO_STORE,
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


async def download_id_map(request: Request) -> Response:
    try:
        restore = await restores.open_id_map_download(request.path_params["token"])
    except NotFound as error:
        return _not_found(error)
    return _csv(restores.id_map_csv(restore), f"id-map-{restore.id}.csv")


async def download_comparison(request: Request) -> Response:
    try:
        comparison = await comparisons.open_download(request.path_params["token"])
    except NotFound as error:
        return _not_found(error)
    return _csv(comparisons.csv_stream(comparison), f"comparison-{comparison.id}.csv")


async def download_audit_log(request: Request) -> Response:
    try:
        account_id, wanted = await activity.open_audit_log_export(request.path_params["token"])
    except NotFound as error:
        return _not_found(error)
    return _csv(activity.audit_log_csv(account_id, wanted), f"audit-log-{now():%Y%m%d-%H%M%S}.csv")


routes = [
    Route("/downloads/backups/{token}", download_backup, name="download_backup"),
    Route("/downloads/imports/{token}", download_import_errors, name="download_import_errors"),
    Route(
        "/downloads/refused/{token}/{object_type}.csv",
        download_refused_rows,
        name="download_refused_rows",
    ),
    Route(
        "/downloads/refused/{token}.zip",
        download_all_refused_rows,
        name="download_all_refused_rows",
    ),
    Route("/downloads/id-maps/{token}.csv", download_id_map, name="download_id_map"),
    Route("/downloads/comparisons/{token}.csv", download_comparison, name="download_comparison"),
    Route("/downloads/audit-log/{token}", download_audit_log, name="download_audit_log"),
]
