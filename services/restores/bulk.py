"""Set-based writes of a batch's records brought back, recreated or undone (`bring_back`): one
statement per table and batch, on both databases, rather than one per record (rows as one JSON
document: `services.core.json_rows`).
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.ids import new_ids_text
from models.restores import ChangeAction
from services.core.json_rows import compact_json, placeholder, rows_table
from services.restores.diff import Writing


def _text(at: datetime | None) -> str | None:
    """A time inside the JSON document: the text Tortoise stores on SQLite, which PostgreSQL
    reads too."""
    return None if at is None else at.isoformat(" ")


async def put_back(
    connection: BaseDBAsyncClient,
    rows: Sequence[tuple[UUID, dict[str, str], datetime | None]],
    at: datetime,
) -> None:
    """Each record (id, its properties, its deletion time: None out of the recycle bin)
    takes the properties and the deletion time given."""
    if not rows:
        return
    document = [
        {"id": str(record_id), "properties": values, "deleted_at": _text(deleted_at)}
        for record_id, values, deleted_at in rows
    ]
    table = rows_table(
        connection, [("id", "uuid"), ("properties", "jsonb"), ("deleted_at", "timestamptz")]
    )
    await connection.execute_query(
        f"""UPDATE records SET properties = v.properties, deleted_at = v.deleted_at,
                updated_at = {placeholder(connection, 2)}
            FROM {table} WHERE records.id = v.id""",
        [compact_json(document), at],
    )


async def create(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    rows: Sequence[tuple[UUID, dict[str, str]]],
    at: datetime,
) -> None:
    """Records (id, properties) of the writing's object type created with the ids given."""
    if not rows:
        return
    document = [{"id": str(record_id), "properties": values} for record_id, values in rows]
    table = rows_table(connection, [("id", "uuid"), ("properties", "jsonb")])
    p = [placeholder(connection, n) for n in range(2, 5)]
    await connection.execute_query(
        f"""INSERT INTO records
                (id, account_id, object_type_id, properties, created_at, updated_at)
            SELECT v.id, {p[0]}, {p[1]}, v.properties, {p[2]}, {p[2]} FROM {table}""",
        [
            compact_json(document),
            str(account_id),
            str(writing.object_type_id),
            at,
        ],
    )


async def save_changes(
    connection: BaseDBAsyncClient,
    writing: Writing,
    action: ChangeAction,
    changes: Sequence[tuple[UUID, dict[str, str | None], dict[str, str | None], datetime | None]],
    source_ids: Sequence[str] | None = None,
) -> None:
    """What the batch did to each record (id, before, after, deletion time before an
    UNDELETE), saved as RestoreChange rows of `action`; for CREATE, the records' ids in the
    file, one per change."""
    if not changes:
        return
    ids = new_ids_text(len(changes))
    sources: Sequence[str | None] = source_ids or [None] * len(changes)
    document = [
        {
            "change": change_id,
            "id": str(record_id),
            "before": before,
            "after": after,
            "deleted_at": _text(deleted_at),
            "source": source,
        }
        for change_id, (record_id, before, after, deleted_at), source in zip(
            ids, changes, sources, strict=True
        )
    ]
    columns = [
        ("change", "uuid"),
        ("id", "uuid"),
        ("before", "jsonb"),
        ("after", "jsonb"),
        ("deleted_at", "timestamptz"),
        ("source", "text"),
    ]
    p = [placeholder(connection, n) for n in range(2, 6)]
    await connection.execute_query(
        f"""INSERT INTO restore_changes
                (id, restore_id, batch, object_type_id, action, record_id, before, after,
                 deleted_at, source_id)
            SELECT v.change, {p[0]}, {p[1]}, {p[2]}, {p[3]}, v.id, v.before, v.after,
                   v.deleted_at, v.source
            FROM {rows_table(connection, columns)}""",
        [
            compact_json(document),
            str(writing.restore_id),
            writing.number,
            str(writing.object_type_id),
            action.value,
        ],
    )
