"""Applying one batch of a restore to live records inside the caller's transaction: read the
records' current values, write only the ones that differ, and save what was overwritten
(RestoreChange rows).

The saved changes commit with the writes or not at all, which is what makes a batch
all-or-nothing for a resumed job and gives a revert what to put back. Live records only: a
record in the recycle bin or purged is left as it is here (a restore from a file brings it
back: `services.restores.bring_back`).
"""

import json
from collections.abc import Iterable
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import Record
from models.restores import RestoreChange
from services.core import database
from services.core.clock import now
from services.core.json_rows import compact_json
from services.restores import sql
from services.restores.diff import (
    BatchResult,
    Change,
    ChangedRecord,
    Outcome,
    Writing,
    change,
    compare,
    merged,
    subset,
)
from services.restores.source import Target, Targets, Values
from services.restores.sql import batch_row, each, written_arguments


async def apply_batch(
    connection: BaseDBAsyncClient, writing: Writing, batch: Targets
) -> BatchResult:
    if database.on_postgres(connection):
        return await _apply_postgres(connection, writing, batch)
    return await _apply_sqlite(connection, writing, batch)


# --- PostgreSQL ---------------------------------------------------------------------------
# One statement per batch, one round trip (its parameters: `services.restores.sql`): it finds
# the live records, locks those that differ, updates them, saves what they held, and returns
# the counts and the changed records (for the change events) as one row.


def _apply_statement(count: int) -> str:
    """$2 the restore; $3 the batch number; after the batch, the chosen names' array and ids
    for the saved changes; $1, the object type, is theirs too.

    Only the records found differing are locked, and what they hold is read again under the
    lock, so the values saved are exactly the ones replaced; an edit committed after the first
    read is as if it came after the batch. Removing the chosen names and adding the target
    replaces or clears exactly those properties and leaves the others."""
    changed = f"({each('c{i}', count, ' OR ')})"
    # A revert's records are left alone where they no longer hold what the restore set.
    current = sql.current(count)
    names, ids = (f"${sql.after_batch(count) + n}" for n in range(2))
    return f"""
        WITH {sql.batch_cte(count)}, live AS (
            SELECT t.*,
                   ({each("r.properties ->> {name} IS DISTINCT FROM t.v{i}", count, " OR ")})
                       AS differs
            FROM batch t JOIN records r ON r.id = t.id
            WHERE r.object_type_id = $1 AND r.deleted_at IS NULL
        ), locked AS (
            SELECT l.*, {each("r.properties ->> {name} AS b{i}", count)}
            FROM live l JOIN records r ON r.id = l.id
            WHERE l.differs AND r.deleted_at IS NULL
            FOR UPDATE OF r
        ), compared AS (
            SELECT *, {each("b{i} IS DISTINCT FROM v{i} AS c{i}", count)} FROM locked
        ), chosen AS (
            SELECT *, row_number() OVER () AS k FROM compared
            WHERE {changed} AND (expected IS NULL OR {current} = expected)
        ), updated AS (
            UPDATE records r SET properties = (r.properties - {names}::text[])
                    || jsonb_strip_nulls(jsonb_build_object({each("{name}, c.v{i}", count)})),
                updated_at = now()
            FROM chosen c WHERE r.id = c.id
        ), saved AS (
            INSERT INTO restore_changes
                (restore_id, batch, object_type_id, record_id, before, after, id)
            SELECT $2, $3, $1, id, jsonb_build_object({each("{name}, b{i}", count)}),
                   jsonb_build_object({each("{name}, v{i}", count)}), ({ids}::uuid[])[k]
            FROM chosen
        )
        SELECT (SELECT count(*) FROM live),
               (SELECT count(*) FROM compared
                WHERE expected IS NOT NULL AND {changed} AND {current} <> expected),
               (SELECT coalesce(sum({each("(c{i} AND v{i} IS NOT NULL)::int", count, " + ")}), 0)
                FROM chosen)::int,
               (SELECT coalesce(sum({each("(c{i} AND v{i} IS NULL)::int", count, " + ")}), 0)
                FROM chosen)::int,
               (SELECT coalesce(jsonb_agg(jsonb_build_array(id, array_remove(
                    ARRAY[{each("CASE WHEN c{i} THEN {name} END", count)}], NULL))), '[]')
                FROM chosen)::text
    """


async def _apply_postgres(
    connection: BaseDBAsyncClient, writing: Writing, batch: Targets
) -> BatchResult:
    names = writing.names
    live, conflicts, values_set, values_cleared, changed = await batch_row(
        connection,
        _apply_statement(len(names)),
        *written_arguments(writing, batch),
    )
    changed_records = [ChangedRecord(record_id, names) for record_id, names in json.loads(changed)]
    result = BatchResult.of_live(changed_records, live, conflicts)
    result.values_set, result.values_cleared = values_set, values_cleared
    return result


# --- SQLite -------------------------------------------------------------------------------
# The transaction holds the database's only writer, so what is read here cannot change before
# the UPDATEs (SQLite has no FOR UPDATE and needs none).

SQLITE_UPDATE = "UPDATE records SET properties = ?, updated_at = ? WHERE id = ?"


def _classify(
    batch: Iterable[Target], current: dict[UUID, Values], properties: list[str]
) -> tuple[list[Change], int]:
    """The changes to make, and how many records conflict (a revert's, changed again since)."""
    changes: list[Change] = []
    conflicts = 0
    for target in batch:
        values = current.get(target.record_id)
        if values is None:
            continue
        outcome = compare(target, values, properties)
        if outcome is Outcome.CONFLICT:
            conflicts += 1
        elif outcome is Outcome.CHANGE:
            changes.append(change(target, values, properties))
    return changes, conflicts


async def _apply_sqlite(
    connection: BaseDBAsyncClient, writing: Writing, batch: Targets
) -> BatchResult:
    names = writing.names
    found = (
        await Record.filter(
            id__in=list(batch.record_ids),
            object_type_id=writing.object_type_id,
            deleted_at__isnull=True,
        )
        .using_db(connection)
        .values_list("id", "properties")
    )
    full: dict[UUID, Values] = {UUID(str(record_id)): values for record_id, values in found}
    current = {record_id: subset(values, names) for record_id, values in full.items()}
    changes, conflicts = _classify(batch, current, names)
    if changes:
        at = now()
        rows = [
            [compact_json(merged(full[item.record_id], item.after)), at, str(item.record_id)]
            for item in changes
        ]
        await connection.execute_many(SQLITE_UPDATE, rows)
        await RestoreChange.bulk_create(
            (
                RestoreChange(
                    restore_id=writing.restore_id,
                    batch=writing.number,
                    object_type_id=writing.object_type_id,
                    record_id=item.record_id,
                    before=item.before,
                    after=item.after,
                )
                for item in changes
            ),
            using_db=connection,
        )
    changed = [ChangedRecord(str(item.record_id), item.changed_properties) for item in changes]
    result = BatchResult.of_live(changed, len(full), conflicts)
    result.count_values(changes)
    return result
