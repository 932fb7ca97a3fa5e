"""Imports (uploaded files and finished restores) and the rows they refused."""

from resolvers.context import Context
from services import imports
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
    if not await imports.has_error_rows(job):
        return None
    token = imports.error_rows_download_token(context.require_viewer(Scope.DOWNLOADS), job)
    return context.link("download_import_errors", token=token)
