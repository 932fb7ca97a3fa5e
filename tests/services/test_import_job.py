"""The import job driven directly: resuming after workers die, refusals, retries, the sweep."""

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from models.accounts import Role
from models.audit import AuditEvent
from models.crm import ObjectType, PurgedRecord, Record
from models.ids import new_id
from models.imports import Import, ImportRowError, ImportSource, ImportStatus
from models.notifications import Notification
from services import environment
from services.auth import now
from services.import_files import account_types, open_upload
from services.import_job import RetryImport, apply_rows, run_import
from services.job_claims import LostClaim, claim, requeue_lost_jobs
from services.storage import import_key
from tests.conftest import Tenant
from tests.server.test_imports import csv_bytes, finished

DEALS = 230
UNKNOWN_AT = (10, 60, 110, 160, 210)


async def queued_import(tenant: Tenant, content: bytes, tmp_path: Path, object_type: str) -> Import:
    """An import waiting for a worker, its file in storage, that no worker has been sent."""
    import_id = new_id()
    key = import_key(tenant.account.id, import_id)
    path = tmp_path / f"{import_id}.csv"
    path.write_bytes(content)
    await environment.current().storage.put_file(key, path)
    return await Import.create(
        id=import_id,
        account_id=tenant.account.id,
        name="Import - deals.csv",
        source=ImportSource.FILE,
        requested_by=tenant.users[Role.SUPER_ADMIN],
        storage_key=key,
        object_type_name=object_type,
    )


async def lapse(job: Import) -> None:
    """The worker holding the job stops renewing its lease (it died)."""
    await Import.filter(id=job.id).update(lease_expires_at=now() - timedelta(seconds=1))


async def test_a_job_resumed_after_its_workers_died_applies_each_row_once(
    tenant: Tenant, tmp_path: Path
) -> None:
    deals_type = await ObjectType.get(account_id=tenant.account.id, name="deals")
    deals = [
        Record(account_id=tenant.account.id, object_type=deals_type, properties={"amount": str(i)})
        for i in range(DEALS)
    ]
    await Record.bulk_create(deals)
    purged, binned = deals[100:130], deals[140:160]
    for record in purged:
        await PurgedRecord.create(
            id=record.id, account_id=record.account_id, object_type=deals_type
        )
    await Record.filter(id__in=[record.id for record in purged]).delete()
    await Record.filter(id__in=[record.id for record in binned]).update(deleted_at=now())
    rows = [[str(record.id), f"Deal {i}", str(i * 2)] for i, record in enumerate(deals)]
    for position in UNKNOWN_AT:
        rows.insert(position, [str(uuid4()), "Stranger", "1"])
    content = csv_bytes(["id", "dealname", "amount"], rows)
    job = await queued_import(tenant, content, tmp_path, "deals")
    scratch = tmp_path / "scratch.csv"
    scratch.write_bytes(content)

    first = await claim(Import, job.id)
    assert first is not None
    types = await account_types(tenant.account.id)
    with open_upload(scratch, "deals", types) as upload:
        batches = apply_rows(first, upload, batch_size=50)
        assert (await anext(batches)).rows_done == 50
        assert (await anext(batches)).rows_done == 100
        await lapse(job)
        second = await claim(Import, job.id)
        assert second is not None and second.attempt == 2
        # The first worker wakes up: its next batch must not land.
        with pytest.raises(LostClaim):
            await anext(batches)
    assert (await Import.get(id=job.id)).rows_done == 100
    # Row 134 of the file, in the third batch: as it was.
    assert (await Record.get(id=deals[130].id)).properties == {"amount": "130"}

    await lapse(job)  # the second worker died before its first batch
    await run_import(job.id)

    done = await Import.get(id=job.id)
    assert done.status == ImportStatus.SUCCEEDED, done.failure_reason
    assert done.attempts == 3
    assert done.rows_done == DEALS + len(UNKNOWN_AT)
    assert done.counts == {
        "updated": DEALS - len(purged) - len(binned),
        "created": len(purged),
        "restored": len(binned),
        "failed": len(UNKNOWN_AT),
    }
    errors = await ImportRowError.filter(import_job_id=job.id).order_by("row_number")
    assert [error.row_number for error in errors] == [position + 1 for position in UNKNOWN_AT]
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
    """The upload was checked; the account's definitions are checked again when the job runs."""
    content = csv_bytes(["id", "dealname", "legacy_code"], [[str(uuid4()), "x", "7"]])
    job = await queued_import(tenant, content, tmp_path, "deals")

    await run_import(job.id)

    failed = await Import.get(id=job.id)
    assert failed.status == ImportStatus.FAILED
    assert failed.attempts == 1
    assert "deals has no properties called 'legacy_code'" in failed.failure_reason
    assert failed.storage_key == ""
    assert not await environment.current().storage.exists(job.storage_key)
    assert await Notification.exists(subject_id=str(job.id), kind="IMPORT_FAILED")
    assert await AuditEvent.exists(target_id=str(job.id), action="IMPORT_FAILED")


async def test_an_unexpected_failure_is_retried_then_fails(tenant: Tenant, tmp_path: Path) -> None:
    job = await queued_import(tenant, csv_bytes(["id"], []), tmp_path, "deals")
    await environment.current().storage.delete(job.storage_key)

    for attempt in (1, 2):
        with pytest.raises(RetryImport, match="FileNotFoundError"):
            await run_import(job.id)
        waiting = await Import.get(id=job.id)
        assert (waiting.status, waiting.attempts) == (ImportStatus.QUEUED, attempt)
    await run_import(job.id)

    failed = await Import.get(id=job.id)
    assert (failed.status, failed.attempts) == (ImportStatus.FAILED, 3)
    assert failed.failure_reason.startswith("FileNotFoundError")
    assert not list(environment.current().work_dir.glob(f"import-{job.id}-*"))


async def test_the_sweep_sends_again_an_import_whose_message_was_lost(
    tenant: Tenant, tmp_path: Path
) -> None:
    job = await queued_import(tenant, csv_bytes(["id", "dealname"], []), tmp_path, "deals")
    await lapse(job)
    other_kind = await Import.create(
        account_id=tenant.account.id,
        name="Data restore - Deal",
        source=ImportSource.RESTORE,
        status=ImportStatus.SUCCEEDED,
    )

    assert await requeue_lost_jobs() >= 1
    assert (await finished(str(job.id))).status == ImportStatus.SUCCEEDED
    assert (await Import.get(id=other_kind.id)).attempts == 0
