"""The import job driven directly: resuming after workers die, refusals, the sweep."""

from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from models.audit import AuditEvent
from models.crm import PurgedRecord, Record
from models.imports import Import, ImportRowError, ImportSource, ImportStatus
from models.notifications import Notification
from services import storage
from services.core.clock import now
from services.imports.files import account_types, open_upload
from services.imports.job import apply_rows, run_import
from services.jobs import queue as jobs
from services.jobs.claims import LostClaim, claim
from services.jobs.kinds import IMPORT_FILE, JobKind
from services.jobs.sweeps import requeue_lost_jobs
from tests.support.graphql import GraphQLClient
from tests.support.imports import csv_bytes, import_finished, queued_import, restore_entry
from tests.support.leases import lease_lapses
from tests.support.records import purge, seed_records
from tests.support.tenants import Tenant

DEALS = 230
UNKNOWN_AT = (10, 60, 110, 160, 210)


async def test_a_job_resumed_after_its_workers_died_applies_each_row_once(
    tenant: Tenant, tmp_path: Path
) -> None:
    deals = await seed_records(tenant, "deals", [{"amount": str(i)} for i in range(DEALS)])
    purged, binned = deals[100:130], deals[140:160]
    await purge(purged)
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
        await lease_lapses(Import, job.id)
        second = await claim(Import, job.id)
        assert second is not None and second.attempt == 2
        # The first worker wakes up: its next batch must not land.
        with pytest.raises(LostClaim):
            await anext(batches)
    assert (await Import.get(id=job.id)).rows_done == 100
    # Row 134 of the file, in the third batch: as it was.
    assert (await Record.get(id=deals[130].id)).properties == {"amount": "130"}

    await lease_lapses(Import, job.id)  # the second worker died before its first batch
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
    # The refusal's own message, written for the user who sent the file, under its code.
    assert failed.failure_code == "FILE_REFUSED"
    assert failed.failure_reason == (
        "deals has no properties called 'legacy_code': create them first, or remove those columns."
    )
    assert failed.storage_key == ""
    assert not await storage.current().exists(job.storage_key)
    assert await Notification.exists(subject_id=str(job.id), kind="IMPORT_FAILED")
    assert await AuditEvent.exists(target_id=str(job.id), action="IMPORT_FAILED")


async def test_the_sweep_sends_again_an_import_whose_message_was_lost(
    gql: GraphQLClient, tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restore's entry shares the imports table, and the sweep sends every lost row of it as
    a file import: the entry must never look lost, even once a lease on it has run out."""
    entry = await restore_entry(gql, tenant)
    assert (entry.source, entry.status) == (ImportSource.RESTORE, ImportStatus.SUCCEEDED)
    sent: list[tuple[JobKind[Any], UUID]] = []
    send = jobs.enqueue

    async def recorded(job_name: JobKind[Any], row_id: UUID) -> bool:
        sent.append((job_name, row_id))
        return await send(job_name, row_id)

    monkeypatch.setattr(jobs, "enqueue", recorded)
    job = await queued_import(tenant, csv_bytes(["id", "dealname"], []), tmp_path, "deals")
    for row_id in (job.id, entry.id):
        await lease_lapses(Import, row_id)

    assert await requeue_lost_jobs() >= 1
    assert (IMPORT_FILE, job.id) in sent
    assert entry.id not in {row_id for _, row_id in sent}
    assert (await import_finished(job.id)).status == ImportStatus.SUCCEEDED
    after = await Import.get(id=entry.id)
    assert (after.status, after.attempts) == (ImportStatus.SUCCEEDED, 0)
