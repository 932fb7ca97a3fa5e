"""What the plan of an uploaded file found to write, kept in the database for the job that
applies it (PostgreSQL; the tables `restore_staged_rows` and `restore_staged_batches`,
UNLOGGED, migration 0020).

The plan reads the whole file, checks every row and sorts it by where its id is, one statement
per batch (`services.restores.file_sql`); that statement also stages the batch's rows the job
is to write (a live record of the type whose values differ, one in the recycle bin, a purged
one to recreate), with their row numbers and their values, and how many of the batch's live
records already hold theirs. The job then reads no file, checks nothing in Python and sends no
rows: each of its batches is a range of row numbers (`StagedRows`), the same rows a batch of
the file holds, written by one statement from the staged rows (`file_sql.apply_staged_batch`),
which sorts them again by where their ids are, as the data may have moved since the plan. A
property's definition cannot change or go once created, so values the plan accepted are still
accepted. The records the plan found holding the file's values (three in four, in a typical
import of a backup) are neither read nor written again: counted as unchanged, an edit made to
one between the plan and the start stays, as the plan said nothing would change there.

The job takes what was staged only when it adds up to what its plan counted (`held`: the rows
to write, the records found unchanged): none staged (a restore queued without a plan, one
restored as new records, SQLite) or lost (the tables are UNLOGGED: a crash of the database
empties them), the job reads the file as before, and its batches, numbered alike, resume where
the other way stopped. What was staged goes with the upload
(`services.restores.uploads.forget_upload`: when the restore ends, its plan fails, or the
plan is never started), and again when a plan's attempt starts over.
"""

import contextlib
from collections.abc import AsyncIterator
from uuid import UUID

from tortoise import connections

from models.crm import ObjectType
from models.restores import Restore, RestoreKind, RestoreSource
from services.core import database
from services.imports import account_types
from services.restores.file_sql import STAGED_BATCHES, STAGED_ROWS
from services.restores.source import (
    BATCH_SIZE,
    Part,
    Source,
    StagedRows,
    association_rows,
    uploaded_file,
)
from services.restores.summary import ObjectPlan, PlanSummary


def staged_by_plan(restore: Restore) -> bool:
    """Whether `restore`'s plan stages its rows: a restore from a file, on PostgreSQL, unless
    restored as new records (sorted in Python: their ids name nothing here)."""
    return (
        restore.kind == RestoreKind.RESTORE
        and restore.source == RestoreSource.FILE
        and not restore.as_new_records
        and database.on_postgres()
    )


def _to_write(planned: ObjectPlan) -> int:
    """The rows of an object type the plan staged: every row it found to write."""
    return planned.records_to_change + planned.records_to_bring_back + planned.records_to_recreate


async def held(restore: Restore) -> bool:
    """Whether what `restore`'s plan staged is all there, for the job to apply it: the rows to
    write, and the counts of the records found unchanged."""
    if not staged_by_plan(restore) or not restore.plan.get("planned_at"):
        return False
    planned = PlanSummary.model_validate(restore.plan).objects
    [staged] = await connections.get("default").execute_query_dict(
        f"""SELECT (SELECT count(*) FROM {STAGED_ROWS} WHERE restore_id = $1) AS rows,
                   (SELECT coalesce(sum(unchanged), 0) FROM {STAGED_BATCHES}
                    WHERE restore_id = $1) AS unchanged""",
        [restore.id],
    )
    return bool(
        staged["rows"] == sum(map(_to_write, planned))
        and staged["unchanged"] == sum(plan.records_unchanged for plan in planned)
    )


async def forget(restore_id: UUID) -> None:
    """Deletes what was staged for the restore, if anything."""
    if database.on_postgres():
        client = connections.get("default")
        for table in (STAGED_ROWS, STAGED_BATCHES):
            await client.execute_query(f"DELETE FROM {table} WHERE restore_id = $1", [restore_id])


@contextlib.asynccontextmanager
async def staged_source(restore: Restore) -> AsyncIterator[Source]:
    """The restore's parts as its plan found them in the file, each in batches of staged rows;
    the file is read only for its associations, when the plan found any."""
    summary = PlanSummary.model_validate(restore.plan)
    types = await account_types(restore.account_id)
    parts = _parts(summary, types)
    if not (
        summary.associations_to_add + summary.associations_present + summary.associations_refused
    ):
        yield Source(parts, summary.values_as_of)
        return
    async with (
        uploaded_file(restore) as upload,
        contextlib.aclosing(association_rows(upload)) as associations,
    ):
        yield Source(parts, summary.values_as_of, associations)


async def _parts(summary: PlanSummary, types: dict[str, ObjectType]) -> AsyncIterator[Part]:
    for planned in summary.objects:
        names = [prop.name for prop in planned.properties]
        rows = planned.records_in_source
        yield Part(types[planned.object_type], names, rows, _batches(rows))


async def _batches(rows: int) -> AsyncIterator[StagedRows]:
    for first in range(1, rows + 1, BATCH_SIZE):
        yield StagedRows(first, min(first + BATCH_SIZE - 1, rows))
