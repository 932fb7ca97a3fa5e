"""The records a restore from a file takes out of the recycle bin or creates again, and what its
revert does to them: back to the recycle bin, purged again. Few in a batch (most of a batch is
live records, written in bulk by `services.restores.apply`), so written here one by one, in the
batch's transaction, each saved as a RestoreChange saying what was done.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import PurgedRecord, Record
from models.restores import ChangeAction, RestoreChange
from services.core.clock import now
from services.restores.diff import BatchResult, ChangedRecord, Writing, merged, subset
from services.restores.source import Reverted, Targets, Values
from services.restores.triage import Binned


def _saved(
    writing: Writing,
    record_id: UUID,
    before: dict[str, str | None],
    after: dict[str, str | None],
    action: ChangeAction = ChangeAction.UPDATE,
    deleted_at: datetime | None = None,
) -> RestoreChange:
    return RestoreChange(
        restore_id=writing.restore_id,
        batch=writing.number,
        object_type_id=writing.object_type_id,
        record_id=record_id,
        before=before,
        after=after,
        action=action,
        deleted_at=deleted_at,
    )


def _all(names: Sequence[str], values: Values) -> dict[str, str | None]:
    """`values` for each of `names`, None where blank."""
    return {name: values.get(name) for name in names}


async def undelete(
    connection: BaseDBAsyncClient, writing: Writing, batch: Targets, binned: Sequence[Binned]
) -> BatchResult:
    """Out of the recycle bin, with the file's values for the file's columns."""
    result = BatchResult(records_brought_back=len(binned))
    saved = []
    at = now()
    for record in binned:
        target = batch.target(record.position)
        after = _all(writing.names, target.values)
        await (
            Record.filter(id=target.record_id)
            .using_db(connection)
            .update(properties=merged(record.values, after), deleted_at=None, updated_at=at)
        )
        before = _all(writing.names, record.values)
        saved.append(
            _saved(
                writing, target.record_id, before, after, ChangeAction.UNDELETE, record.deleted_at
            )
        )
        result.changed.append(ChangedRecord(str(target.record_id), list(writing.names)))
    await RestoreChange.bulk_create(saved, using_db=connection)
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
    await Record.bulk_create(
        [
            Record(
                id=target.record_id,
                account_id=account_id,
                object_type_id=writing.object_type_id,
                properties=target.values,
            )
            for target in targets
        ],
        using_db=connection,
    )
    # The record exists again: a later purge leaves a new tombstone.
    ids = [target.record_id for target in targets]
    await PurgedRecord.filter(id__in=ids).using_db(connection).delete()
    blank = dict.fromkeys(writing.names)
    await RestoreChange.bulk_create(
        [
            _saved(
                writing,
                target.record_id,
                blank,
                _all(writing.names, target.values),
                ChangeAction.RECREATE,
            )
            for target in targets
        ],
        using_db=connection,
    )
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
    saved = []
    for n in positions:
        target, reverted = batch.target(n), batch.reverted[n]
        values = live.get(target.record_id)
        if values is None or subset(values, writing.names) != batch.expected[n]:
            result.conflicts += 1
            continue
        await _undo_one(
            connection, account_id, writing, target.record_id, values, target.values, reverted
        )
        before = _all(writing.names, values)
        saved.append(_saved(writing, target.record_id, before, _all(writing.names, target.values)))
        result.changed.append(ChangedRecord(str(target.record_id), list(writing.names)))
        if reverted.action == ChangeAction.RECREATE:
            result.records_removed += 1
        else:
            result.records_returned_to_bin += 1
    await RestoreChange.bulk_create(saved, using_db=connection)
    return result


async def _undo_one(
    connection: BaseDBAsyncClient,
    account_id: UUID,
    writing: Writing,
    record_id: UUID,
    values: Values,
    before: Values,
    reverted: Reverted,
) -> None:
    records = Record.filter(id=record_id).using_db(connection)
    if reverted.action == ChangeAction.RECREATE:
        await records.delete()
        await PurgedRecord.create(
            id=record_id,
            account_id=account_id,
            object_type_id=writing.object_type_id,
            using_db=connection,
        )
        return
    await records.update(
        properties=merged(values, _all(writing.names, before)),
        deleted_at=reverted.deleted_at,
        updated_at=now(),
    )
