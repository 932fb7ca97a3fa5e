"""The records a restore from a file takes out of the recycle bin or creates again, and what its
revert does to them: back to the recycle bin, purged again. Written in the batch's transaction,
one statement per table and batch (`bulk`), each saved as a RestoreChange saying what was done.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import PurgedRecord, Record
from models.restores import ChangeAction
from services.core.clock import now
from services.restores import bulk
from services.restores.diff import BatchResult, ChangedRecord, Writing, merged, subset
from services.restores.source import Targets, Values
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
    rows = [(target.record_id, target.values) for target in targets]
    await bulk.create(connection, writing, account_id, rows, now())
    # The record exists again: a later purge leaves a new tombstone.
    ids = [target.record_id for target in targets]
    await PurgedRecord.filter(id__in=ids).using_db(connection).delete()
    blank = dict.fromkeys(writing.names)
    changes = [
        (target.record_id, blank, _all(writing.names, target.values), None) for target in targets
    ]
    await bulk.save_changes(connection, writing, ChangeAction.RECREATE, changes)
    result = BatchResult(records_recreated=len(targets))
    result.changed = [
        ChangedRecord(str(target.record_id), sorted(target.values)) for target in targets
    ]
    return result


async def undo(
    connection: BaseDBAsyncClient,
    writing: Writing,
    account_id: UUID,
    batch: Targets,
    positions: Sequence[int],
) -> BatchResult:
    """A revert of records a restore brought back or recreated: back to the recycle bin (with
    their values before it) or purged again, where they still hold what the restore set;
    changed since, they are conflicts, left alone."""
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
        else:
            binned.append((target.record_id, merged(values, after), reverted.deleted_at))
        changes.append((target.record_id, before, after, None))
        result.changed.append(ChangedRecord(str(target.record_id), list(writing.names)))
    await bulk.put_back(connection, binned, now())
    await _purge(connection, writing, account_id, removed)
    await bulk.save_changes(connection, writing, ChangeAction.UPDATE, changes)
    result.records_returned_to_bin, result.records_removed = len(binned), len(removed)
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
