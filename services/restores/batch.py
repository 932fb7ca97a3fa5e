"""Applying and counting one batch of a restore's source, whatever the source: the plan counts
what the job then writes, batch by batch, the same way.

- A backup's values go to the live records of the type (in bulk, `apply` and `count`).
- A file's rows are sorted first (`triage`): live records as above, records in the recycle bin
  brought back, purged ones recreated (`bring_back`), and the rest refused; restored as new
  records, every valid row is created with a new id. On PostgreSQL one statement sorts the rows
  that pass the checks and counts them, staging them for the job (`file_sql`, `staged`), whose
  statement sorts them again and writes them.
- A revert puts back what its restore overwrote: values in bulk, and records the restore
  brought back or created (`bring_back`, in bulk too).
"""

from dataclasses import dataclass, field
from uuid import UUID

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import Record
from models.restores import ChangeAction, Restore, RestoreSource
from services.core import database
from services.core.clock import now
from services.restores import bring_back
from services.restores.apply import apply_batch
from services.restores.count import BatchCounts, count_batch
from services.restores.diff import BatchResult, Writing, subset
from services.restores.file_sql import (
    FileCounts,
    apply_file_batch,
    apply_staged_batch,
    count_file_batch,
)
from services.restores.source import Part, StagedRows, Targets, Values
from services.restores.triage import CONTACTS, Checked, Refused, Triage, sort_batch


async def apply(
    connection: BaseDBAsyncClient,
    restore: Restore,
    part: Part,
    number: int,
    batch: Targets | StagedRows,
) -> BatchResult:
    """Writes the batch inside the caller's transaction; what it did."""
    writing = Writing(restore.id, number, part.object_type.id, part.names)
    if isinstance(batch, StagedRows):
        return await _apply_staged(connection, writing, restore.account_id, part, batch)
    if batch.reverted is not None:
        return await _apply_revert(connection, writing, restore.account_id, batch)
    if restore.source == RestoreSource.FILE:
        if _sorted_in_sql(connection, restore):
            return await _apply_file(connection, writing, restore.account_id, part, batch)
        triage = await sort_batch(
            part.object_type, batch, connection, as_new=restore.as_new_records
        )
        return await _apply_sorted(connection, writing, restore.account_id, batch, triage)
    return await apply_batch(connection, writing, batch)


def _sorted_in_sql(client: BaseDBAsyncClient, restore: Restore) -> bool:
    """Whether a file's batch is sorted by where its ids are in SQL (`file_sql`): on PostgreSQL,
    unless restored as new records (whose ids name nothing here)."""
    return database.on_postgres(client) and not restore.as_new_records


def _purged_refused(part: Part) -> bool:
    """A permanently deleted contact stays deleted (its data may have been erased on request)."""
    return part.object_type.name == CONTACTS


async def _apply_file(
    connection: BaseDBAsyncClient, writing: Writing, account_id: UUID, part: Part, batch: Targets
) -> BatchResult:
    checked = Checked(part.object_type, batch)
    if not checked.positions:
        result, found = BatchResult(), []
    else:
        done = await apply_file_batch(
            connection, writing, account_id, _purged_refused(part), checked.rows, now()
        )
        result, found = done.result, done.refused
    result.records_refused += len(checked.refused(found))
    return result


async def _apply_staged(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    part: Part,
    batch: StagedRows,
) -> BatchResult:
    done = await apply_staged_batch(
        connection, writing, account_id, _purged_refused(part), batch, now()
    )
    # The plan refused the rows of the range it neither staged nor found unchanged.
    done.result.records_refused += len(batch) - done.rows - done.kept + len(done.refused)
    return done.result


async def _live(connection: BaseDBAsyncClient, writing: Writing, batch: Targets) -> BatchResult:
    return await apply_batch(connection, writing, batch) if len(batch) else BatchResult()


async def _apply_revert(
    connection: BaseDBAsyncClient, writing: Writing, account_id: UUID, batch: Targets
) -> BatchResult:
    updated, others = _by_action(batch)
    result = await _live(connection, writing, batch.only(updated))
    if others:
        result.add(await bring_back.undo(connection, writing, account_id, batch, others))
    return result


def _by_action(batch: Targets) -> tuple[list[int], list[int]]:
    """Positions of the records whose values a restore changed, and of the ones it brought
    back or recreated."""
    assert batch.reverted is not None
    updated = [n for n, done in enumerate(batch.reverted) if done.action == ChangeAction.UPDATE]
    others = [n for n, done in enumerate(batch.reverted) if done.action != ChangeAction.UPDATE]
    return updated, others


async def _apply_sorted(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    batch: Targets,
    triage: Triage,
) -> BatchResult:
    result = await _live(connection, writing, batch.only(triage.live))
    if triage.binned:
        result.add(await bring_back.undelete(connection, writing, batch, triage.binned))
    if triage.recreated:
        recreated = await bring_back.recreate(
            connection, writing, account_id, batch, triage.recreated
        )
        result.add(recreated)
    if triage.created:
        result.add(
            await bring_back.create_new(connection, writing, account_id, batch, triage.created)
        )
    result.records_refused += len(triage.refused)
    return result


# Counting, for the plan.


@dataclass
class Counted:
    """What applying a batch would do: the bulk's counts, and the few records brought back."""

    live: BatchCounts
    # Per chosen property, (to change, to clear, unchanged) over the records brought back or
    # recreated.
    extra_properties: list[list[int]] = field(default_factory=list)
    brought_back: int = 0
    recreated: int = 0
    refused: list[Refused] = field(default_factory=list)
    # A revert's records brought back or recreated by its restore.
    extra_changes: int = 0
    extra_conflicts: int = 0


async def count(
    restore: Restore, part: Part, batch: Targets, *, conflicts: int, examples: int
) -> Counted:
    names = part.names
    if batch.reverted is not None:
        updated, others = _by_action(batch)
        live = await _count_live(part, batch.only(updated), conflicts, examples)
        return await _count_undone(part, batch, others, live)
    if restore.source != RestoreSource.FILE:
        return Counted(
            await count_batch(
                part.object_type.id, names, batch, conflicts=conflicts, examples=examples
            )
        )
    client = connections.get("default")
    if _sorted_in_sql(client, restore):
        return await _count_file(client, restore, part, batch, examples)
    triage = await sort_batch(part.object_type, batch, as_new=restore.as_new_records)
    live = await _count_live(part, batch.only(triage.live), conflicts, examples)
    counted = Counted(live, [[0, 0, 0] for _ in names], refused=triage.refused)
    for binned in triage.binned:
        _tally(
            counted.extra_properties,
            names,
            subset(binned.values, names),
            batch.values(binned.position),
        )
    created = triage.recreated + triage.created
    for n in created:
        _tally(counted.extra_properties, names, {}, batch.values(n))
    counted.brought_back, counted.recreated = len(triage.binned), len(created)
    return counted


async def _count_file(
    client: BaseDBAsyncClient, restore: Restore, part: Part, batch: Targets, examples: int
) -> Counted:
    checked = Checked(part.object_type, batch)
    names = part.names
    counts = FileCounts(BatchCounts(properties=[]))
    if checked.positions:
        counts = await count_file_batch(
            client,
            restore.id,
            part.object_type.id,
            restore.account_id,
            _purged_refused(part),
            names,
            checked.rows,
            [batch.first_row + n for n in checked.positions],
            batch.first_row,
            examples=examples,
        )
    return Counted(
        counts.live,
        [[0, 0, 0] for _ in names],
        brought_back=counts.brought_back,
        recreated=counts.recreated,
        refused=checked.refused(counts.refused),
    )


async def _count_live(part: Part, batch: Targets, conflicts: int, examples: int) -> BatchCounts:
    if not len(batch):
        return BatchCounts(properties=[])
    return await count_batch(
        part.object_type.id, part.names, batch, conflicts=conflicts, examples=examples
    )


def _tally(tallies: list[list[int]], names: list[str], now: Values, wanted: Values) -> None:
    """Adds one record's (to change, to clear, unchanged) per property."""
    for tally, name in zip(tallies, names, strict=True):
        value, want = now.get(name), wanted.get(name)
        tally[2 if value == want else 1 if want is None else 0] += 1


async def _count_undone(
    part: Part, batch: Targets, positions: list[int], live: BatchCounts
) -> Counted:
    """A revert's records brought back or recreated by its restore: they go where they hold
    what the restore set (see `bring_back.undo`)."""

    assert batch.expected is not None
    counted = Counted(live, [[0, 0, 0] for _ in part.names])
    ids = [batch.target(n).record_id for n in positions]
    found = await Record.filter(
        id__in=ids, object_type_id=part.object_type.id, deleted_at__isnull=True
    ).values_list("id", "properties")
    values = {UUID(str(record_id)): props for record_id, props in found}
    for n in positions:
        current = values.get(batch.target(n).record_id)
        if current is None or subset(current, part.names) != batch.expected[n]:
            counted.extra_conflicts += 1
            continue
        counted.extra_changes += 1
        _tally(counted.extra_properties, part.names, subset(current, part.names), batch.values(n))
    return counted
