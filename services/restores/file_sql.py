"""A batch of an uploaded file sorted, counted and written in one statement on PostgreSQL: where
each row's id is (a live record of the type, one in the recycle bin, a tombstone, another type's
record, nothing), what restoring it would do (`count_file_batch`, for the plan) or does
(`apply_file_batch`, for the job), and the rows refused for where their id is. The rows reach
the statement checked already (`triage`: well-formed, distinct ids, values their properties
accept), as arrays (`services.restores.sql`): no record comes back to Python, no per-row work.

The job's statement locks what it writes: the live records found differing and the records in
the recycle bin, read again under the lock, so the values saved are exactly the ones replaced
(a record taken out of the bin meanwhile is compared as a live one).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.restores import ChangeAction
from services.restores import sql
from services.restores.count import BatchCounts, Example, PropertyCounts
from services.restores.diff import BatchResult, ChangedRecord, Writing
from services.restores.source import Targets
from services.restores.sql import batch_arguments, batch_row, each

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


def _sorted(count: int, account: str, purged_refused: str) -> str:
    """`batch`, then `sorted`: each row with where its id is (`fate`), and the record's current
    values b0... (null for none). $1 the object type."""
    return f"""WITH {sql.batch_cte(count)}, found AS (
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
    purged (contacts). A file's rows have no expected values, so no conflicts."""
    changed = sql.differs(count)
    return f"""
        {_sorted(count, "$2", f"${sql.after_batch(count)}")}
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
    object_type_id: UUID,
    account_id: UUID,
    purged_refused: bool,
    names: list[str],
    batch: Targets,
    *,
    examples: int,
) -> FileCounts:
    """What restoring the checked rows of `batch` would do; up to `examples` examples. Per
    property, the records brought back and recreated are counted with the live ones."""
    row = await batch_row(
        client,
        _count_statement(len(names)),
        object_type_id,
        account_id,
        examples,
        *batch_arguments(names, batch),
        purged_refused,
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


def _apply_statement(count: int) -> str:
    """$2 the restore, $3 the batch number; after the batch: the names' array, ids for the
    saved changes, the time of the writes, the account, whether a purged record stays purged.

    Removing the chosen names and adding the target replaces or clears exactly those
    properties and leaves the others, for a live record as for one brought back."""
    names, ids, at, account, purged_refused = (f"${sql.after_batch(count) + n}" for n in range(5))
    target = f"jsonb_strip_nulls(jsonb_build_object({each('{name}, s.v{i}', count)}))"
    return f"""
        {_sorted(count, account, purged_refused)}, locked AS (
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
        SELECT (SELECT count(*) FROM sorted WHERE fate IN ('live', 'binned')),
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
    names = writing.names
    row = await batch_row(
        connection,
        _apply_statement(len(names)),
        *sql.written_arguments(writing, batch),
        at,
        account_id,
        purged_refused,
    )
    found, brought_back, recreated, values_set, values_cleared, changed, refused = row
    changed_records = _changed(json.loads(changed))
    updated = len(changed_records) - brought_back - recreated
    result = BatchResult.model_construct(
        changed=changed_records,
        records_changed=updated,
        records_unchanged=found - updated - brought_back,
        records_brought_back=brought_back,
        records_recreated=recreated,
        values_set=values_set,
        values_cleared=values_cleared,
    )
    return FileResult(result, _refused(refused))


def _changed(rows: Sequence[tuple[str, str, list[str]]]) -> list[ChangedRecord]:
    return [ChangedRecord(record_id, names) for record_id, _, names in rows]
