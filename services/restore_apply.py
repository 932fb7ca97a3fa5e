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


# --- PostgreSQL ---------------------------------------------------------------------------
# The batch's target values go in with one COPY into a temporary table, and the records change
# with one UPDATE ... FROM it: a few round trips per batch whatever its size, and no record's
# full properties travel to Python, only the chosen ones of the records that differ.

CREATE_BATCH = (
    "CREATE TEMP TABLE restore_batch (id uuid NOT NULL, target jsonb NOT NULL) ON COMMIT DROP"
)
LIVE = """
    SELECT count(*) FROM restore_batch t JOIN records r ON r.id = t.id
    WHERE r.object_type_id = $1 AND r.deleted_at IS NULL
"""
# Removing the chosen names ($1) and adding the target sets, replaces or clears exactly those
# properties and leaves the others as they are.
UPDATE = """
    UPDATE records r SET properties = (r.properties - $1::text[]) || t.target, updated_at = now()
    FROM restore_batch t WHERE r.id = t.id AND r.id = ANY($2::uuid[])
"""
CHANGE_COLUMNS = ("id", "restore_id", "batch", "record_id", "before", "after")


def _differing(count: int) -> str:
    """The live records whose chosen values ($2...) differ from the target, locked: FOR UPDATE
    makes the values read here the ones the UPDATE replaces, even under concurrent edits."""
    pairs = ", ".join(f"${n}::text, r.properties -> ${n}::text" for n in range(2, count + 2))
    return f"""
        SELECT r.id, s.current::text FROM restore_batch t
        JOIN records r ON r.id = t.id
        CROSS JOIN LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object({pairs})) AS current) s
        WHERE r.object_type_id = $1 AND r.deleted_at IS NULL AND s.current <> t.target
        FOR UPDATE OF r
    """


async def _apply_postgres(
    connection: BaseDBAsyncClient, restore: Restore, number: int, batch: list[Target]
) -> BatchResult:
    names = restore.properties
    async with connection.acquire_connection() as raw:
        await raw.execute(CREATE_BATCH)
        await raw.copy_records_to_table(
            "restore_batch",
            records=[(target.record_id, _dumps(target.values)) for target in batch],
            columns=("id", "target"),
        )
        differing = await raw.fetch(_differing(len(names)), restore.object_type_id, *names)
        live = await raw.fetchval(LIVE, restore.object_type_id)
        current = {row[0]: json.loads(row[1]) for row in differing}
        changes, conflicts = _classify(batch, current, names)
        if changes:
            await raw.execute(UPDATE, names, [item.record_id for item in changes])
            await raw.copy_records_to_table(
                "restore_changes",
                records=[
                    (
                        new_id(),
                        restore.id,
                        number,
                        item.record_id,
                        _dumps(item.before),
                        _dumps(item.after),
                    )
                    for item in changes
                ],
                columns=CHANGE_COLUMNS,
            )
    return BatchResult(changes, live, conflicts)


# --- SQLite -------------------------------------------------------------------------------
# The transaction holds the database's only writer, so what is read here cannot change before
# the UPDATEs (SQLite has no FOR UPDATE and needs none).

SQLITE_UPDATE = "UPDATE records SET properties = ?, updated_at = ? WHERE id = ?"


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
