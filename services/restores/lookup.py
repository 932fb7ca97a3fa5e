"""Where a batch's record ids are in the account, for the sorting of a file's rows (`triage`):
among its records (live or in the recycle bin) and among its tombstones.

On PostgreSQL the ids go in as one array parameter: the ORM writes an `IN` list of a parameter
per id, which took longer to build than the database took to answer. On SQLite, the ORM.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import PurgedRecord, Record
from services.restores.source import Values


async def _fetch(client: BaseDBAsyncClient, statement: str, *arguments: object) -> list[Any]:
    async with client.acquire_connection() as raw:
        return list(await raw.fetch(statement, *arguments))


def _postgres(client: BaseDBAsyncClient) -> bool:
    return client.capabilities.dialect == "postgres"


async def records(
    client: BaseDBAsyncClient, account_id: UUID, ids: Sequence[UUID]
) -> list[tuple[UUID, UUID, datetime | None]]:
    """(id, object type, deletion time) of the account's records among `ids`."""
    return await _of_account(client, Record, account_id, ids, "object_type_id", "deleted_at")


async def binned(
    client: BaseDBAsyncClient, ids: Sequence[UUID], *, lock: bool
) -> list[tuple[UUID, datetime, Values]]:
    """(id, deletion time, properties) of the records among `ids` in the recycle bin, locked
    until the caller's transaction ends when `lock`."""
    if _postgres(client):
        rows = await _fetch(
            client,
            f"""SELECT id, deleted_at, properties::text FROM records
                WHERE id = ANY($1::uuid[]) AND deleted_at IS NOT NULL
                {"FOR UPDATE" if lock else ""}""",
            ids,
        )
        return [(record_id, at, json.loads(values)) for record_id, at, values in rows]
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
    if _postgres(client):
        return await _fetch(
            client,
            f"""SELECT id, {", ".join(columns)} FROM {model._meta.db_table}
                WHERE account_id = $1 AND id = ANY($2::uuid[])""",
            account_id,
            ids,
        )
    found = model.filter(account_id=account_id, id__in=list(ids)).using_db(client)
    return list(await found.values_list("id", *columns))
