"""Where a batch's record ids are in the account, for the sorting of a file's rows on SQLite
(`triage`): among its records (live or in the recycle bin) and among its tombstones. On
PostgreSQL one statement sorts and counts or writes a batch (`file_sql`)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import PurgedRecord, Record
from services.restores.source import Values


async def records(
    client: BaseDBAsyncClient, account_id: UUID, ids: Sequence[UUID]
) -> list[tuple[UUID, UUID, datetime | None]]:
    """(id, object type, deletion time) of the account's records among `ids`."""
    return await _of_account(client, Record, account_id, ids, "object_type_id", "deleted_at")


async def binned(
    client: BaseDBAsyncClient, ids: Sequence[UUID]
) -> list[tuple[UUID, datetime, Values]]:
    """(id, deletion time, properties) of the records among `ids` in the recycle bin. (SQLite
    has one writer at a time: what the caller's transaction reads stays as it is.)"""
    found = Record.filter(id__in=list(ids), deleted_at__isnull=False).using_db(client)
    return list(await found.values_list("id", "deleted_at", "properties"))


async def tombstones(
    client: BaseDBAsyncClient, account_id: UUID, ids: Sequence[UUID]
) -> list[tuple[UUID, UUID]]:
    """(id, object type) of the account's purged records among `ids`."""
    return await _of_account(client, PurgedRecord, account_id, ids, "object_type_id")


async def _of_account(
    client: BaseDBAsyncClient,
    model: type[Record | PurgedRecord],
    account_id: UUID,
    ids: Sequence[UUID],
    *columns: str,
) -> list[Any]:
    """(id, *columns) of the account's rows of `model` among `ids`."""
    found = model.filter(account_id=account_id, id__in=list(ids)).using_db(client)
    return list(await found.values_list("id", *columns))
