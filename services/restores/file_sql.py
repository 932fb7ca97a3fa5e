"""A batch of an uploaded file sorted, counted and written in one statement on PostgreSQL: where
each row's id is (a live record of the type, one in the recycle bin, a tombstone, another type's
record, nothing), what restoring it would do (`count_file_batch`, for the plan) or does
(`apply_file_batch`, for the job), and the rows refused for where their id is. The rows reach
the plan's statement checked already (`triage`: well-formed, distinct ids, values their
properties accept), as arrays (`services.restores.sql`): no record comes back to Python, no
per-row work. That statement also stages the rows whose id the job may write
(`services.restores.staged`); the job's (`apply_staged_batch`) then reads a batch's rows from
there, by their row numbers, and nothing of the file crosses to the database twice. Without
staged rows (`apply_file_batch`) the job sends a batch of the file as the plan did.

The job's statement locks what it writes: the live records found differing and the records in
the recycle bin, read again under the lock, so the values saved are exactly the ones replaced
(a record taken out of the bin meanwhile is compared as a live one).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg
from tortoise.backends.base.client import BaseDBAsyncClient

from models.ids import new_ids_text
from models.restores import ChangeAction
from services.restores import sql
from services.restores.count import BatchCounts, Example, PropertyCounts
from services.restores.diff import BatchResult, ChangedRecord, Writing
from services.restores.source import StagedRows, Targets
from services.restores.sql import batch_arguments, batch_row, each

# What a plan staged for its job (`services.restores.staged`, migration 0020): the rows to
# write, and per batch of the file how many already held their values.
STAGED_ROWS = "restore_staged_rows"
STAGED_BATCHES = "restore_staged_batches"
# Where a row's id is, when it is refused for it.
OTHER_TYPE = "other"
UNKNOWN = "unknown"
PURGED_CONTACT = "contact"


@dataclass
class FileCounts:
    """A plan's counts of one batch's checked rows."""

    live: BatchCounts
    brought_back: int = 0
    recreated: int = 0
    # (position among the checked rows, OTHER_TYPE / UNKNOWN / PURGED_CONTACT).
    refused: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class FileResult:
    result: BatchResult
    refused: list[tuple[int, str]] = field(default_factory=list)
    # The rows the statement read, and those of the file's batch it counted as unchanged
    # without reading them (staged by the plan as such).
    rows: int = 0
    kept: int = 0


def _sorted(count: int, batch: str, account: str, purged_refused: str) -> str:
    """`batch` (the CTE of the rows: n, id, v0..., expected), then `sorted`: each row with where
    its id is (`fate`), and the record's current values b0... (null for none). $1 the object
    type."""
    return f"""WITH {batch}, found AS (
            SELECT t.*, r.id IS NOT NULL AS known, r.object_type_id AS type_id,
                   r.deleted_at IS NOT NULL AS deleted,
                   {each("r.properties ->> {name} AS b{i}", count)}
            FROM batch t LEFT JOIN records r ON r.id = t.id AND r.account_id = {account}
        ), sorted AS (
            SELECT f.*, CASE
                WHEN f.known AND f.type_id <> $1 THEN '{OTHER_TYPE}'
                WHEN f.known AND NOT f.deleted THEN 'live'
                WHEN f.known THEN 'binned'
                WHEN p.object_type_id IS NULL THEN '{UNKNOWN}'
                WHEN p.object_type_id <> $1 THEN '{OTHER_TYPE}'
                WHEN {purged_refused} THEN '{PURGED_CONTACT}'
                ELSE 'recreated' END AS fate
            FROM found f LEFT JOIN purged_records p
                ON NOT f.known AND p.id = f.id AND p.account_id = {account}
        )"""


_REFUSED = f"""(SELECT coalesce(jsonb_agg(jsonb_build_array(n, fate) ORDER BY n), '[]')
                FROM sorted
                WHERE fate IN ('{OTHER_TYPE}', '{UNKNOWN}', '{PURGED_CONTACT}'))::text"""


def _refused(text: str) -> list[tuple[int, str]]:
    """Positions (from 0) among the checked rows, and why."""
    return [(n - 1, fate) for n, fate in json.loads(text)]


# The plan.


def _count_statement(count: int) -> str:
    """$2 the account, $3 how many examples; after the batch, whether a purged record stays
    purged (contacts), the restore, each row's number in its file and the first row of the
    file's batch. A file's rows have no expected values, so no conflicts.

    Staged for the job (`services.restores.staged`): the rows it is to write (a live record
    that differs, one in the recycle bin, a purged one to recreate), values as compared here
    (null where blank), and how many of the batch's live records already hold their values."""
    changed = sql.differs(count)
    purged_refused, restore, row_numbers, first_row = (
        f"${sql.after_batch(count) + n}" for n in range(4)
    )
    return f"""
        {_sorted(count, sql.batch_cte(count), "$2", purged_refused)}, staged AS (
            INSERT INTO {STAGED_ROWS} (restore_id, object_type_id, row_number, record_id, "values")
            SELECT {restore}, $1, ({row_numbers}::bigint[])[n], id,
                   ARRAY[{each("v{i}", count)}]::text[]
            FROM sorted WHERE fate IN ('binned', 'recreated') OR (fate = 'live' AND {changed})
        ), kept AS (
            INSERT INTO {STAGED_BATCHES} (restore_id, object_type_id, first_row, unchanged)
            SELECT {restore}, $1, {first_row}, count(*)
            FROM sorted WHERE fate = 'live' AND NOT {changed}
        )
        SELECT (SELECT count(*) FROM sorted WHERE fate = 'live' AND NOT {changed}),
               (SELECT count(*) FROM sorted WHERE fate = 'live' AND {changed}),
               (SELECT count(*) FROM sorted WHERE fate = 'binned'),
               (SELECT count(*) FROM sorted WHERE fate = 'recreated'),
               (SELECT ARRAY[{sql.property_counts(count)}] FROM sorted
                WHERE fate IN ('live', 'binned', 'recreated')),
               (SELECT coalesce(jsonb_agg(jsonb_build_array(
                    id, ARRAY[{each("b{i}", count)}], ARRAY[{each("v{i}", count)}])), '[]')
                FROM (SELECT * FROM sorted WHERE fate = 'live' AND {changed}
                      ORDER BY n LIMIT $3) first)::text,
               {_REFUSED}
    """


async def count_file_batch(
    client: BaseDBAsyncClient,
    restore_id: UUID,
    object_type_id: UUID,
    account_id: UUID,
    purged_refused: bool,
    names: list[str],
    batch: Targets,
    row_numbers: Sequence[int],
    first_row: int,
    *,
    examples: int,
) -> FileCounts:
    """What restoring the checked rows of `batch` (at `row_numbers` in their file, whose batch
    starts at `first_row`) would do, up to `examples` examples; what the job is to write staged
    for it. Per property, the records brought back and recreated are counted with the live
    ones."""
    row = await batch_row(
        client,
        _count_statement(len(names)),
        object_type_id,
        account_id,
        examples,
        *batch_arguments(names, batch),
        purged_refused,
        restore_id,
        row_numbers,
        first_row,
    )
    unchanged, to_change, binned, recreated, by_property, first, refused = row
    live = BatchCounts(
        records_unchanged=unchanged,
        records_to_change=to_change,
        examples=[
            Example(UUID(record_id), current, target)
            for record_id, current, target in json.loads(first)
        ],
        properties=[PropertyCounts(*by_property[3 * n : 3 * n + 3]) for n in range(len(names))],
    )
    return FileCounts(live, binned, recreated, _refused(refused))


# The job.


def _apply_statement(count: int, batch: str, after: int, kept: str = "0") -> str:
    """The rows from `batch` (a CTE); $2 the restore, $3 the batch number; from parameter
    `after` on: the names' array, ids for the saved changes, the time of the writes, the
    account, whether a purged record stays purged. `kept`: how many rows of the file's batch,
    not in `batch`, already hold their values.

    Removing the chosen names and adding the target replaces or clears exactly those
    properties and leaves the others, for a live record as for one brought back."""
    names, ids, at, account, purged_refused = (f"${after + n}" for n in range(5))
    target = f"jsonb_strip_nulls(jsonb_build_object({each('{name}, s.v{i}', count)}))"
    return f"""
        {_sorted(count, batch, account, purged_refused)}, locked AS (
            SELECT s.n, s.id, r.deleted_at, {each("s.v{i}", count)},
                   {each("r.properties ->> {name} AS b{i}", count)}
            FROM sorted s JOIN records r ON r.id = s.id
            WHERE s.fate = 'binned'
                OR (s.fate = 'live' AND {sql.differs(count)} AND r.deleted_at IS NULL)
            FOR UPDATE OF r
        ), written AS (
            SELECT *, CASE WHEN deleted_at IS NOT NULL THEN '{ChangeAction.UNDELETE}'
                           ELSE '{ChangeAction.UPDATE}' END AS action,
                   {each("b{i} IS DISTINCT FROM v{i} AS c{i}", count)}
            FROM locked
        ), chosen AS (
            SELECT id, n, action, deleted_at, {each("v{i}", count)},
                   jsonb_build_object({each("{name}, b{i}", count)}) AS before,
                   CASE WHEN action = '{ChangeAction.UNDELETE}' THEN {names}::text[]
                        ELSE array_remove(ARRAY[{each("CASE WHEN c{i} THEN {name} END", count)}],
                                          NULL) END AS changed,
                   {_updated("(c{i} AND v{i} IS NOT NULL)::int", count)} AS values_set,
                   {_updated("(c{i} AND v{i} IS NULL)::int", count)} AS values_cleared
            FROM written
            WHERE action = '{ChangeAction.UNDELETE}' OR ({each("c{i}", count, " OR ")})
            UNION ALL
            SELECT id, n, '{ChangeAction.RECREATE}', NULL, {each("v{i}", count)},
                   jsonb_build_object({each("{name}, NULL::text", count)}),
                   array_remove(ARRAY[{each("CASE WHEN v{i} IS NOT NULL THEN {name} END", count)}],
                                NULL), 0, 0
            FROM sorted WHERE fate = 'recreated'
        ), numbered AS (
            SELECT *, row_number() OVER () AS k FROM chosen
        ), updated AS (
            UPDATE records r SET properties = (r.properties - {names}::text[]) || {target},
                deleted_at = NULL, updated_at = {at}
            FROM numbered s WHERE r.id = s.id AND s.action <> '{ChangeAction.RECREATE}'
        ), created AS (
            INSERT INTO records
                (id, account_id, object_type_id, properties, created_at, updated_at)
            SELECT id, {account}, $1, {target}, {at}, {at}
            FROM numbered s WHERE action = '{ChangeAction.RECREATE}'
        ), untombed AS (
            -- The record exists again: a later purge leaves a new tombstone.
            DELETE FROM purged_records p USING numbered s
            WHERE s.action = '{ChangeAction.RECREATE}' AND p.id = s.id
        ), saved AS (
            INSERT INTO restore_changes (id, restore_id, batch, object_type_id, action,
                                         record_id, before, after, deleted_at)
            SELECT ({ids}::uuid[])[k], $2, $3, $1, action, id, before,
                   jsonb_build_object({each("{name}, s.v{i}", count)}), deleted_at
            FROM numbered s
        )
        SELECT (SELECT count(*) FROM batch), {kept},
               (SELECT count(*) FROM sorted WHERE fate IN ('live', 'binned')),
               (SELECT count(*) FROM numbered WHERE action = '{ChangeAction.UNDELETE}'),
               (SELECT count(*) FROM numbered WHERE action = '{ChangeAction.RECREATE}'),
               (SELECT coalesce(sum(values_set), 0) FROM numbered)::int,
               (SELECT coalesce(sum(values_cleared), 0) FROM numbered)::int,
               (SELECT coalesce(jsonb_agg(jsonb_build_array(id, action, changed)), '[]')
                FROM numbered)::text,
               {_REFUSED}
    """


def _updated(template: str, count: int) -> str:
    """The sum of `template` over the properties for an updated record; 0 for one brought
    back (its values are not counted as set or cleared)."""
    summed = each(template, count, " + ")
    return f"CASE WHEN action = '{ChangeAction.UPDATE}' THEN {summed} ELSE 0 END"


async def apply_file_batch(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    purged_refused: bool,
    batch: Targets,
    at: datetime,
) -> FileResult:
    """Writes the checked rows of `batch` inside the caller's transaction; what it did."""
    count = len(writing.names)
    row = await batch_row(
        connection,
        _apply_statement(count, sql.batch_cte(count), sql.after_batch(count)),
        *sql.written_arguments(writing, batch),
        at,
        account_id,
        purged_refused,
    )
    return _file_result(row)


def _staged_cte(count: int) -> str:
    """`batch` read from the rows the plan staged for the restore ($2) and the object type
    ($1): those from row number $4 to the one in the parameter after the names."""
    return f"""batch AS (
            SELECT row_number AS n, record_id AS id, {each('"values"[{i} + 1] AS v{i}', count)},
                   NULL::jsonb AS expected
            FROM {STAGED_ROWS}
            WHERE restore_id = $2 AND object_type_id = $1
                AND row_number BETWEEN $4 AND ${sql.NAMES_FROM + count}
        )"""


def _staged_kept(count: int) -> str:
    """How many rows of the same range the plan found already holding their values."""
    return f"""(SELECT coalesce(sum(unchanged), 0) FROM {STAGED_BATCHES}
                WHERE restore_id = $2 AND object_type_id = $1
                    AND first_row BETWEEN $4 AND ${sql.NAMES_FROM + count})::int"""


async def apply_staged_batch(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    purged_refused: bool,
    batch: StagedRows,
    at: datetime,
) -> FileResult:
    """Writes the rows the plan staged within `batch`'s row numbers inside the caller's
    transaction, as `apply_file_batch` writes a file's; what it did. The rows of the range the
    plan found unchanged count as unchanged (`FileResult.kept`): an edit made to one since
    stays. Those it refused were not staged: `FileResult.rows` and `kept` say how many were."""
    names = writing.names
    count = len(names)
    row = await batch_row(
        connection,
        _apply_statement(
            count, _staged_cte(count), sql.NAMES_FROM + count + 1, _staged_kept(count)
        ),
        writing.object_type_id,
        writing.restore_id,
        writing.number,
        batch.first_row,
        *names,
        batch.last_row,
        names,
        new_ids_text(len(batch)),
        at,
        account_id,
        purged_refused,
    )
    return _file_result(row)


def _file_result(row: asyncpg.Record) -> FileResult:
    rows, kept, found, brought_back, recreated, values_set, values_cleared, changed, refused = row
    changed_records = _changed(json.loads(changed))
    updated = len(changed_records) - brought_back - recreated
    result = BatchResult.model_construct(
        changed=changed_records,
        records_changed=updated,
        records_unchanged=kept + found - updated - brought_back,
        records_brought_back=brought_back,
        records_recreated=recreated,
        values_set=values_set,
        values_cleared=values_cleared,
    )
    return FileResult(result, _refused(refused), rows, kept)


def _changed(rows: Sequence[tuple[str, str, list[str]]]) -> list[ChangedRecord]:
    return [ChangedRecord(record_id, names) for record_id, _, names in rows]
