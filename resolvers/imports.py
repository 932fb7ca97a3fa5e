"""Imports (uploaded files and finished restores) and the rows they refused."""

from resolvers import restores as restore_resolvers
from resolvers.context import Context
from services import imports, restores
from services.accounts import Scope
from services.core.pagination import Page


async def list_imports(context: Context, first: int, after: str | None) -> Page[imports.Import]:
    return await imports.list_imports(context.require_viewer(Scope.READ), first, after)


async def get_import(context: Context, import_id: str) -> imports.Import:
    return await imports.get_import(context.require_viewer(Scope.READ), import_id)


async def error_rows(job: imports.Import, first: int, after: str | None) -> Page[imports.ErrorRow]:
    """`job` was read for the viewer, who may therefore see its rows."""
    return await imports.error_rows(job, first, after)


async def error_rows_download_url(context: Context, job: imports.Import) -> str | None:
    """An import from a file: its restore's refused rows with their values, to fix and send
    again (one object type's CSV, or a ZIP of each type's); an older import: its own CSV."""
    if not await imports.has_error_rows(job):
        return None
    viewer = context.require_viewer(Scope.DOWNLOADS)
    if job.restore_id is None:
        return context.link(
            "download_import_errors", token=imports.error_rows_download_token(viewer, job)
        )
    restore = await restores.get_restore(viewer, job.restore_id)
    token = restores.refused_rows_download_token(viewer, restore)
    object_types = await restores.refused_object_types(restore)
    if len(object_types) == 1:
        return context.link("download_refused_rows", token=token, object_type=object_types[0])
    return context.link("download_all_refused_rows", token=token)


async def id_map_download_url(context: Context, job: imports.Import) -> str | None:
    """An import of another account's backup as new records: its restore's id map. Only a file's
    restore can be one, so the other entries ask nothing more of the database."""
    if job.source != imports.ImportSource.FILE or job.restore_id is None:
        return None
    restore = await restores.get_restore(context.require_viewer(Scope.READ), job.restore_id)
    return await restore_resolvers.id_map_download_url(context, restore)
