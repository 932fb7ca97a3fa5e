"""The records a restore from a file takes out of the recycle bin, creates again or creates as
new ones, and what its revert does to them: back to the recycle bin, purged again, deleted.
Written in the batch's transaction, one statement per table and batch (`bulk`), each saved as
a RestoreChange saying what was done.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import PurgedRecord, Record
from models.ids import new_id
from models.restores import ChangeAction
from services.core.clock import now
from services.restores import bulk
from services.restores.diff import BatchResult, ChangedRecord, Writing, merged, subset
from services.restores.source import Target, Targets, Values
from services.restores.triage import Binned


def _all(names: Sequence[str], values: Values) -> dict[str, str | None]:
    """`values` for each of `names`, None where blank."""
    return {name: values.get(name) for name in names}


async def undelete(
    connection: BaseDBAsyncClient, writing: Writing, batch: Targets, binned: Sequence[Binned]
) -> BatchResult:
    """Out of the recycle bin, with the file's values for the file's columns."""
    result = BatchResult(records_brought_back=len(binned))
    rows, changes = [], []
    for record in binned:
        target = batch.target(record.position)
        after = _all(writing.names, target.values)
        rows.append((target.record_id, merged(record.values, after), None))
        before = _all(writing.names, record.values)
        changes.append((target.record_id, before, after, record.deleted_at))
        result.changed.append(ChangedRecord(str(target.record_id), list(writing.names)))
    await bulk.put_back(connection, rows, now())
    await bulk.save_changes(connection, writing, ChangeAction.UNDELETE, changes)
    return result


async def recreate(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    batch: Targets,
    positions: Sequence[int],
) -> BatchResult:
    """Purged records created again with their original ids and the file's values."""
    targets = [batch.target(n) for n in positions]
    ids = [target.record_id for target in targets]
    result = await _create(connection, writing, account_id, targets, ids, ChangeAction.RECREATE)
    # The record exists again: a later purge leaves a new tombstone.
    await PurgedRecord.filter(id__in=ids).using_db(connection).delete()
    return result


async def create_new(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    batch: Targets,
    positions: Sequence[int],
) -> BatchResult:
    """Records created with new ids and the file's values; each change keeps the id the
    record had in the file (the id map)."""
    targets = [batch.target(n) for n in positions]
    ids = [new_id() for _ in targets]
    return await _create(connection, writing, account_id, targets, ids, ChangeAction.CREATE)


async def _create(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    targets: Sequence[Target],
    ids: Sequence[UUID],
    action: ChangeAction,
) -> BatchResult:
    """Each target created as the record of the same position in `ids`, saved as `action`
    (a CREATE keeps the target's id as the record's id in the file)."""
    made = list(zip(ids, targets, strict=True))
    await bulk.create(connection, writing, account_id, [(i, t.values) for i, t in made], now())
    blank = dict.fromkeys(writing.names)
    changes = [(i, blank, _all(writing.names, t.values), None) for i, t in made]
    sources = [str(t.record_id) for t in targets] if action == ChangeAction.CREATE else None
    await bulk.save_changes(connection, writing, action, changes, sources)
    result = BatchResult(records_recreated=len(made))
    result.changed = [ChangedRecord(str(i), sorted(t.values)) for i, t in made]
    return result


async def undo(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    batch: Targets,
    positions: Sequence[int],
) -> BatchResult:
    """A revert of records a restore brought back, recreated or created: back to the recycle
    bin (with their values before it), purged again, or deleted, where they still hold what
    the restore set; changed since, they are conflicts, left alone."""
    assert batch.reverted is not None and batch.expected is not None  # A revert's batch.
    result = BatchResult()
    ids = [batch.target(n).record_id for n in positions]
    found = (
        await Record.filter(
            id__in=ids, object_type_id=writing.object_type_id, deleted_at__isnull=True
        )
        .using_db(connection)
        .select_for_update()
        .values_list("id", "properties")
    )
    live: dict[UUID, Values] = {UUID(str(record_id)): values for record_id, values in found}
    binned: list[tuple[UUID, Values, datetime | None]] = []
    removed: list[UUID] = []
    # Created with new ids: they never existed before, so they leave no tombstone.
    created: list[UUID] = []
    changes = []
    for n in positions:
        target, reverted = batch.target(n), batch.reverted[n]
        values = live.get(target.record_id)
        if values is None or subset(values, writing.names) != batch.expected[n]:
            result.conflicts += 1
            continue
        before, after = _all(writing.names, values), _all(writing.names, target.values)
        if reverted.action == ChangeAction.RECREATE:
            removed.append(target.record_id)
        elif reverted.action == ChangeAction.CREATE:
            created.append(target.record_id)
        else:
            binned.append((target.record_id, merged(values, after), reverted.deleted_at))
        changes.append((target.record_id, before, after, None))
        result.changed.append(ChangedRecord(str(target.record_id), list(writing.names)))
    await bulk.put_back(connection, binned, now())
    await _purge(connection, writing, account_id, removed)
    if created:
        await Record.filter(id__in=created).using_db(connection).delete()
    await bulk.save_changes(connection, writing, ChangeAction.UPDATE, changes)
    result.records_returned_to_bin = len(binned)
    result.records_removed = len(removed) + len(created)
    return result


async def _purge(
    connection: BaseDBAsyncClient, writing: Writing, account_id: UUID, ids: list[UUID]
) -> None:
    """Deleted again, each leaving a tombstone as a purge does."""
    if not ids:
        return
    await Record.filter(id__in=ids).using_db(connection).delete()
    await PurgedRecord.bulk_create(
        [
            PurgedRecord(id=record_id, account_id=account_id, object_type_id=writing.object_type_id)
            for record_id in ids
        ],
        using_db=connection,
    )
