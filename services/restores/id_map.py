"""A restore of a file as new records keeps, with its saved changes, which new id each record of
the file got: downloadable as a CSV (`object_type`, `old_id`, `new_id`) through a short-lived
signed link, streamed in pages so memory does not grow with it."""

import csv
import io
from collections.abc import AsyncIterator
from uuid import UUID

from tortoise.queryset import QuerySet

from models.crm import ObjectType
from models.restores import ChangeAction, Restore, RestoreChange
from services import activity
from services.core.errors import NotFound
from services.core.signing import DownloadLinks
from services.core.viewer import Viewer

LINKS = DownloadLinks("id-map-download")
CSV_HEADER = ["object_type", "old_id", "new_id"]
STREAM_PAGE = 1_000


def _created(restore_id: UUID) -> QuerySet[RestoreChange]:
    return RestoreChange.filter(restore_id=restore_id, action=ChangeAction.CREATE)


async def has_id_map(restore: Restore) -> bool:
    return restore.as_new_records and await _created(restore.id).exists()


def download_token(viewer: Viewer, restore: Restore) -> str:
    """A token for a link to the restore's id map, valid for minutes."""
    return LINKS.token(viewer, restore.id)


async def open_download(token: str) -> Restore:
    """The restore a link points at, audit-logged as its id map downloaded."""
    target = LINKS.target(token)
    restore = await Restore.get_or_none(id=target.object_id, account_id=target.account_id)
    if restore is None or not restore.as_new_records:
        raise NotFound("No such id map.")
    await activity.record_download(target, "ID_MAP_DOWNLOADED", "restore")
    return restore


def _encode(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode()


async def csv_stream(restore: Restore) -> AsyncIterator[bytes]:
    """In the order the records were created."""
    names = dict(await ObjectType.filter(account_id=restore.account_id).values_list("id", "name"))
    yield _encode([CSV_HEADER])
    last: UUID | None = None
    while True:
        page = _created(restore.id) if last is None else _created(restore.id).filter(id__gt=last)
        changes = await page.order_by("id").limit(STREAM_PAGE)
        if not changes:
            return
        yield _encode(
            [
                [
                    str(names.get(change.object_type_id, "")),
                    change.source_id or "",
                    str(change.record_id),
                ]
                for change in changes
            ]
        )
        last = changes[-1].id
