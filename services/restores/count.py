"""Counting what restoring one batch would do, for a plan: nothing is written.

On PostgreSQL one statement per batch compares the batch with the records (its parameters:
`services.restores.sql`) and returns only counts and the first few examples; on SQLite the
records are read and compared here.
"""

import json
from dataclasses import dataclass, field
from uuid import UUID

from tortoise import connections

from models.crm import Record
from services.core import database
from services.restores import sql
from services.restores.diff import Outcome, compare, subset
from services.restores.source import Targets
from services.restores.sql import batch_arguments, batch_row, differs, each


@dataclass(frozen=True)
class PropertyCounts:
    to_change: int = 0
    # Blank in the source, set now.
    to_clear: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Example:
    """A record's chosen properties now and in the source (None where blank), in order."""

    record_id: UUID
    current: list[str | None]
    target: list[str | None]


@dataclass
class BatchCounts:
    records_purged: int = 0
    records_deleted: int = 0
    records_unchanged: int = 0
    records_to_change: int = 0
    conflicts: int = 0
    # The first conflicting records, and the first records to change, in the batch's order.
    conflicting_record_ids: list[UUID] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    # Of the records not in conflict, by chosen property.
    properties: list[PropertyCounts] = field(default_factory=list)


async def count_batch(
    object_type_id: UUID, names: list[str], batch: Targets, *, conflicts: int, examples: int
) -> BatchCounts:
    """Counts, with up to `conflicts` conflicting record ids and `examples` examples."""
    client = connections.get("default")
    if database.on_postgres(client):
        row = await batch_row(
            client,
            _count_statement(len(names)),
            object_type_id,
            conflicts,
            examples,
            *batch_arguments(names, batch),
        )
        return _from_row(row, len(names))
    return await _count_sqlite(object_type_id, names, batch, conflicts, examples)


# --- PostgreSQL ---------------------------------------------------------------------------


def _count_statement(count: int) -> str:
    """$2 how many conflicting ids, $3 how many examples to return."""
    changed = differs(count)
    return f"""
        WITH {sql.batch_cte(count)}, found AS (
            SELECT t.*, r.id IS NOT NULL AS known, r.deleted_at IS NOT NULL AS deleted,
                   {each("r.properties ->> {name} AS b{i}", count)}
            FROM batch t LEFT JOIN records r ON r.id = t.id AND r.object_type_id = $1
        ), live AS (
            SELECT *, {changed} AND expected IS NOT NULL
                      AND {sql.current(count)} <> expected AS conflict
            FROM found WHERE known AND NOT deleted
        )
        SELECT (SELECT count(*) FROM found WHERE NOT known),
               (SELECT count(*) FROM found WHERE known AND deleted),
               (SELECT count(*) FROM live WHERE NOT conflict AND NOT {changed}),
               (SELECT count(*) FROM live WHERE NOT conflict AND {changed}),
               (SELECT count(*) FROM live WHERE conflict),
               (SELECT ARRAY[{sql.property_counts(count)}] FROM live WHERE NOT conflict),
               ARRAY(SELECT id FROM live WHERE conflict ORDER BY n LIMIT $2),
               (SELECT coalesce(jsonb_agg(jsonb_build_array(
                    id, ARRAY[{each("b{i}", count)}], ARRAY[{each("v{i}", count)}])), '[]')
                FROM (SELECT * FROM live WHERE NOT conflict AND {changed}
                      ORDER BY n LIMIT $3) first)::text
    """


def _from_row(row: tuple, count: int) -> BatchCounts:
    purged, deleted, unchanged, to_change, conflicts, by_property, conflicting, examples = row
    return BatchCounts(
        records_purged=purged,
        records_deleted=deleted,
        records_unchanged=unchanged,
        records_to_change=to_change,
        conflicts=conflicts,
        conflicting_record_ids=[UUID(str(record_id)) for record_id in conflicting],
        examples=[
            Example(UUID(record_id), current, target)
            for record_id, current, target in json.loads(examples)
        ],
        properties=[PropertyCounts(*by_property[3 * n : 3 * n + 3]) for n in range(count)],
    )


# --- SQLite -------------------------------------------------------------------------------


async def _count_sqlite(
    object_type_id: UUID, names: list[str], batch: Targets, conflicts: int, examples: int
) -> BatchCounts:
    found = await Record.filter(
        id__in=list(batch.record_ids), object_type_id=object_type_id
    ).values_list("id", "properties", "deleted_at")
    records = {UUID(str(record_id)): (values, deleted) for record_id, values, deleted in found}
    counts = BatchCounts()
    by_property = [[0, 0, 0] for _ in names]
    for target in batch:
        record = records.get(target.record_id)
        if record is None:
            counts.records_purged += 1
            continue
        if record[1] is not None:
            counts.records_deleted += 1
            continue
        current = subset(record[0], names)
        outcome = compare(target, current, names)
        if outcome is Outcome.CONFLICT:
            counts.conflicts += 1
            if len(counts.conflicting_record_ids) < conflicts:
                counts.conflicting_record_ids.append(target.record_id)
            continue
        now = [current.get(name) for name in names]
        wanted = [target.values.get(name) for name in names]
        for tally, value, want in zip(by_property, now, wanted, strict=True):
            tally[2 if value == want else 1 if want is None else 0] += 1
        if outcome is Outcome.UNCHANGED:
            counts.records_unchanged += 1
            continue
        counts.records_to_change += 1
        if len(counts.examples) < examples:
            counts.examples.append(Example(target.record_id, now, wanted))
    counts.properties = [PropertyCounts(*tally) for tally in by_property]
    return counts
