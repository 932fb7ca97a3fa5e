"""A restore from a file, with the job driven directly: resuming after a worker died, a file
that no longer fits, the changes it saves for its revert, and its revert putting back
everything it did.

These tests are the worker: they queue the restore without sending its message and run
`run_restore` themselves, so they decide when a worker dies and when another takes over.
"""

import asyncio
import contextlib
from pathlib import Path
from uuid import uuid4

import pytest

from models.audit import AuditEvent
from models.crm import PurgedRecord, Record
from models.notifications import Notification
from models.restores import ChangeAction, Restore, RestoreChange, RestoreStatus
from services import storage
from services.core.clock import now
from services.restores import job as restore_job
from services.restores.diff import AppliedCounts
from services.restores.source import BATCH_SIZE
from tests.support.imports import (
    csv_bytes,
    lose_staged_rows,
    planned_file_restore,
    queued_file_restore,
    staged_rows,
)
from tests.support.leases import lease_lapses
from tests.support.records import purge, seed_records
from tests.support.restores import first_change
from tests.support.tenants import Tenant

# Enough batches that the job is still running when the first one's events are out.
BATCHES = 10
DEALS = BATCHES * BATCH_SIZE
UNKNOWN_AT = (10, 1_060, 2_110)
# Staged batches written in one transaction: a few, so that the job is interrupted between two.
JOINED = 3


@pytest.mark.parametrize(
    "way", ["unplanned", "staged", "staged, lost on the way", "staged, joined otherwise"]
)
async def test_a_restore_from_a_file_resumes_after_its_worker_died_applying_each_row_once(
    tenant: Tenant, tmp_path: Path, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queued without a plan, the job reads the file; planned, it writes the rows its plan
    staged (PostgreSQL), several batches at a time, and reads the file once they are lost (a
    crash of the database empties their table), resuming after the batches written from them.
    Batches joined otherwise before (a worker of another version) are joined from where the
    attempt before stopped."""
    joined_before = 1 if way == "staged, joined otherwise" else JOINED
    monkeypatch.setattr(restore_job, "STAGED_PER_COMMIT", joined_before)
    deals = await seed_records(tenant, "deals", [{"amount": str(i)} for i in range(DEALS)])
    purged, binned = deals[1_100:1_130], deals[2_140:2_160]
    await purge(purged)
    await Record.filter(id__in=[record.id for record in binned]).update(deleted_at=now())
    rows = [[str(record.id), f"Deal {i}", str(i * 2)] for i, record in enumerate(deals)]
    for position in UNKNOWN_AT:
        rows.insert(position, [str(uuid4()), "Stranger", "1"])
    content = csv_bytes(["id", "dealname", "amount"], rows)
    queue = queued_file_restore if way == "unplanned" else planned_file_restore
    restore = await queue(tenant, content, tmp_path, "deals")

    async with first_change(tenant) as committed:
        dying = asyncio.create_task(restore_job.run_restore(restore.id))
        await committed
        # The worker dies between or inside batches: what it had not committed is gone.
        dying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await dying
    interrupted = AppliedCounts.model_validate((await Restore.get(id=restore.id)).counts)
    assert 1 <= interrupted.batches_done < BATCHES
    if way == "staged, lost on the way":
        await lose_staged_rows(restore.id)
    monkeypatch.setattr(restore_job, "STAGED_PER_COMMIT", JOINED)
    await lease_lapses(Restore, restore.id)
    await restore_job.run_restore(restore.id)

    done = await Restore.get(id=restore.id)
    assert done.status == RestoreStatus.SUCCEEDED, done.failure_reason
    assert done.attempts == 2
    counts = AppliedCounts.model_validate(done.counts)
    # The unknown ids make one more batch.
    assert counts.batches_done == BATCHES + 1
    assert (counts.records_changed, counts.records_recreated, counts.records_brought_back) == (
        DEALS - len(purged) - len(binned),
        len(purged),
        len(binned),
    )
    assert (counts.records_refused, counts.records_skipped) == (len(UNKNOWN_AT), 0)
    after = {
        record.id: record
        for record in await Record.filter(account_id=tenant.account.id, deleted_at=None)
    }
    assert len(after) == DEALS
    for i, record in enumerate(deals):
        assert after[record.id].properties == {"dealname": f"Deal {i}", "amount": str(i * 2)}
    assert not await PurgedRecord.filter(account_id=tenant.account.id).exists()


async def test_a_file_that_no_longer_fits_fails_at_once_without_writing(
    tenant: Tenant, tmp_path: Path
) -> None:
    """The file was checked when it was planned; the account's definitions are checked again
    when the restore runs."""
    content = csv_bytes(["id", "dealname", "legacy_code"], [[str(uuid4()), "x", "7"]])
    restore = await queued_file_restore(tenant, content, tmp_path, "deals")

    await restore_job.run_restore(restore.id)

    failed = await Restore.get(id=restore.id)
    assert failed.status == RestoreStatus.FAILED
    assert failed.attempts == 1
    # The refusal's own message, written for the user who sent the file, under its code.
    assert failed.failure_code == "FILE_REFUSED"
    assert failed.failure_reason == (
        "deals has no properties called 'legacy_code': create them first, or remove those columns."
    )
    assert failed.file_key == ""
    assert not await storage.current().exists(restore.file_key)
    assert await Notification.exists(subject_id=str(restore.id), kind="IMPORT_FAILED")
    assert await AuditEvent.exists(target_id=str(restore.id), action="IMPORT_FAILED")


@pytest.mark.parametrize("way", ["unplanned", "planned"])
async def test_each_change_is_saved_with_what_the_record_held_and_how_it_changed(
    tenant: Tenant, tmp_path: Path, way: str
) -> None:
    """What a revert reads back: per record, its values before and after, and whether it was
    updated, taken out of the recycle bin (and since when it was there) or created again.
    Planned on PostgreSQL, the job writes what its plan staged, with no file to read."""
    [updated, same, binned, purged] = await seed_records(
        tenant,
        "deals",
        [
            {"dealname": "Old", "amount": "1", "dealstage": "closedwon"},
            {"dealname": "Same", "amount": "2"},
            {"dealname": "Binned", "amount": "3"},
            {"dealname": "Purged", "amount": "4"},
        ],
    )
    binned_at = now().replace(microsecond=0)
    await Record.filter(id=binned.id).update(deleted_at=binned_at)
    await purge([purged])
    [contact] = await seed_records(tenant, "contacts", [{"firstname": "Not a deal"}])
    rows = [
        [str(updated.id), "New", ""],
        [str(same.id), "Same", "2"],
        [str(binned.id), "Back", "3"],
        [str(purged.id), "Again", ""],
        [str(contact.id), "Refused", "5"],
    ]
    content = csv_bytes(["id", "dealname", "amount"], rows)
    if way == "unplanned":
        restore = await queued_file_restore(tenant, content, tmp_path, "deals")
    else:
        restore = await planned_file_restore(tenant, content, tmp_path, "deals")
        # Staged: the three to write (SQLite stages nothing).
        if await staged_rows(restore.id) == 3:
            await storage.current().delete(restore.file_key)

    await restore_job.run_restore(restore.id)

    done = await Restore.get(id=restore.id)
    assert done.status == RestoreStatus.SUCCEEDED, done.failure_reason
    assert await staged_rows(restore.id) == 0
    counts = AppliedCounts.model_validate(done.counts)
    assert (counts.records_changed, counts.records_unchanged, counts.records_refused) == (1, 1, 1)
    assert (counts.records_brought_back, counts.records_recreated) == (1, 1)
    assert (counts.values_set, counts.values_cleared) == (1, 1)
    saved = {
        change.record_id: (change.action, change.before, change.after, change.deleted_at)
        for change in await RestoreChange.filter(restore_id=restore.id)
    }
    assert saved == {
        updated.id: (
            ChangeAction.UPDATE,
            {"dealname": "Old", "amount": "1"},
            {"dealname": "New", "amount": None},
            None,
        ),
        binned.id: (
            ChangeAction.UNDELETE,
            {"dealname": "Binned", "amount": "3"},
            {"dealname": "Back", "amount": "3"},
            binned_at,
        ),
        purged.id: (
            ChangeAction.RECREATE,
            {"dealname": None, "amount": None},
            {"dealname": "Again", "amount": None},
            None,
        ),
    }
    after = {record.id: record for record in await Record.filter(account_id=tenant.account.id)}
    # Only the file's columns change: the others stay.
    assert after[updated.id].properties == {"dealname": "New", "dealstage": "closedwon"}
    assert (after[binned.id].properties, after[binned.id].deleted_at) == (
        {"dealname": "Back", "amount": "3"},
        None,
    )
    assert after[purged.id].properties == {"dealname": "Again"}
    assert after[contact.id].properties == {"firstname": "Not a deal"}
