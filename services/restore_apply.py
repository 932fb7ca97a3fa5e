"""Applying one batch of a restore inside the caller's transaction: read the records' current
values, write only the ones that differ, and save what was overwritten (RestoreChange rows).

The saved changes commit with the writes or not at all, which is what makes a batch
all-or-nothing for a resumed job and gives a revert what to put back. Live records only: one
in the recycle bin or purged is left as it is, never recreated.
"""

import json
from functools import partial
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import Record
from models.ids import new_id
from models.restores import Restore, RestoreChange
from services.auth import now
from services.restore_diff import BatchResult, Change, Outcome, change, compare, subset
from services.restore_source import Target, Values

_dumps = partial(json.dumps, separators=(",", ":"))


async def apply_batch(
    connection: BaseDBAsyncClient, restore: Restore, number: int, batch: list[Target]
) -> BatchResult:
    if connection.capabilities.dialect == "postgres":
        return await _apply_postgres(connection, restore, number, batch)
    return await _apply_sqlite(connection, restore, number, batch)


# --- PostgreSQL ---------------------------------------------------------------------------
# One statement per batch, one round trip: the batch goes in as arrays; the statement finds the
# live records, locks those that differ, updates them, saves what they held, and returns the
# counts and the saved changes (for the change events) as one row.


def _values(source: str, count: int) -> str:
    """The object of the chosen properties ($6...) in `source`, JSON null where absent."""
    pairs = ", ".join(f"${n}::text, {source} -> ${n}::text" for n in range(6, count + 6))
    return f"jsonb_build_object({pairs})"


def _apply_statement(count: int) -> str:
    """$1 object type; $2 restore; $3 batch number; $4 record ids, $5 targets, then the chosen
    names one by one from $6, their array, the expected values and the ids for saved changes.

    Only the records found differing are locked, and what they hold is read again under the
    lock, so the values saved are exactly the ones replaced; an edit committed after the first
    read is as if it came after the batch. Removing the chosen names and adding the target
    replaces or clears exactly those properties and leaves the others."""
    names, expected, ids = (f"${n}" for n in range(count + 6, count + 9))
    return f"""
        WITH batch AS (
            SELECT * FROM unnest($4::uuid[], $5::jsonb[], {expected}::jsonb[])
                AS t(id, target, expected)
        ), live AS (
            SELECT t.id, t.target, t.expected,
                   jsonb_strip_nulls({_values("r.properties", count)}) AS current
            FROM batch t JOIN records r ON r.id = t.id
            WHERE r.object_type_id = $1 AND r.deleted_at IS NULL
        ), locked AS (
            SELECT l.id, l.target, l.expected, {_values("r.properties", count)} AS before,
                   {_values("l.target", count)} AS after
            FROM live l JOIN records r ON r.id = l.id
            WHERE l.current <> l.target AND r.deleted_at IS NULL
            FOR UPDATE OF r
        ), chosen AS (
            SELECT id, target, before, after, row_number() OVER () AS n FROM locked
            WHERE jsonb_strip_nulls(before) <> target
              AND (expected IS NULL OR jsonb_strip_nulls(before) = expected)
        ), updated AS (
            UPDATE records r SET properties = (r.properties - {names}::text[]) || c.target,
                updated_at = now()
            FROM chosen c WHERE r.id = c.id
        ), saved AS (
            INSERT INTO restore_changes (restore_id, batch, record_id, before, after, id)
            SELECT $2, $3, id, before, after, ({ids}::uuid[])[n] FROM chosen
            RETURNING record_id, before, after
        )
        SELECT (SELECT count(*) FROM live),
               (SELECT count(*) FROM locked WHERE expected IS NOT NULL
                   AND jsonb_strip_nulls(before) NOT IN (target, expected)),
               (SELECT coalesce(jsonb_agg(jsonb_build_array(record_id, before, after)), '[]')
                FROM saved)::text
    """


async def _apply_postgres(
    connection: BaseDBAsyncClient, restore: Restore, number: int, batch: list[Target]
) -> BatchResult:
    names = restore.properties
    async with connection.acquire_connection() as raw:
        live, conflicts, saved = await raw.fetchrow(
            _apply_statement(len(names)),
            restore.object_type_id,
            restore.id,
            number,
            [target.record_id for target in batch],
            [_dumps(target.values) for target in batch],
            *names,
            names,
            [None if target.expected is None else _dumps(target.expected) for target in batch],
            [new_id() for _ in batch],
        )
    changes = [
        Change(UUID(record_id), before, after) for record_id, before, after in json.loads(saved)
    ]
    return BatchResult(changes, live, conflicts)


# --- SQLite -------------------------------------------------------------------------------
# The transaction holds the database's only writer, so what is read here cannot change before
# the UPDATEs (SQLite has no FOR UPDATE and needs none).

SQLITE_UPDATE = "UPDATE records SET properties = ?, updated_at = ? WHERE id = ?"


def _classify(
    batch: list[Target], current: dict[UUID, Values], properties: list[str]
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
    connection: BaseDBAsyncClient, restore: Restore, number: int, batch: list[Target]
) -> BatchResult:
    names = restore.properties
    found = (
        await Record.filter(
            id__in=[target.record_id for target in batch],
            object_type_id=restore.object_type_id,
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
            [_dumps(_merged(full[item.record_id], item)), at, str(item.record_id)]
            for item in changes
        ]
        await connection.execute_many(SQLITE_UPDATE, rows)
        await RestoreChange.bulk_create(
            (
                RestoreChange(
                    restore_id=restore.id,
                    batch=number,
                    record_id=item.record_id,
                    before=item.before,
                    after=item.after,
                )
                for item in changes
            ),
            using_db=connection,
        )
    return BatchResult(changes, len(full), conflicts)


def _merged(values: Values, item: Change) -> Values:
    kept = {name: value for name, value in values.items() if name not in item.after}
    return kept | {name: value for name, value in item.after.items() if value is not None}
