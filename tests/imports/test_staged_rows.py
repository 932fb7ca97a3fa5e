"""On PostgreSQL a file's plan stages what it found to write (`services.restores.staged`): the
job writes that, leaving as they are the records the plan found holding the file's values.
(The job writing staged rows without the file, resuming on them or on the file once they are
lost: `test_import_job`; staged rows of unused uploads: `test_unused_uploads`.)

These tests are the worker: they run the plan's job and the restore's job themselves.
"""

from pathlib import Path

import pytest

from models.crm import Record
from models.restores import Restore, RestoreChange, RestoreStatus
from services.restores import job as restore_job
from services.restores.diff import AppliedCounts
from services.restores.source import BATCH_SIZE
from tests.support.imports import csv_bytes, planned_file_restore, staged_rows
from tests.support.records import seed_records
from tests.support.tenants import Tenant


async def test_records_the_plan_found_unchanged_are_not_written_again(
    tenant: Tenant, tmp_path: Path, db_kind: str
) -> None:
    if db_kind == "sqlite":
        pytest.skip("On SQLite the job sorts a file's rows in Python, from the file, again.")
    [same, edited, bad] = await seed_records(
        tenant,
        "deals",
        [{"dealname": "Same"}, {"dealname": "Edited", "amount": "1"}, {"dealname": "Bad"}],
    )
    rows = [[str(same.id), "Same", ""], [str(edited.id), "New", ""], [str(bad.id), "Bad", "x"]]
    content = csv_bytes(["id", "dealname", "amount"], rows)
    restore = await planned_file_restore(tenant, content, tmp_path, "deals")
    assert await staged_rows(restore.id) == 1
    # Edited after the plan, which said nothing would change there.
    await Record.filter(id=same.id).update(properties={"dealname": "Same, edited since"})

    await restore_job.run_restore(restore.id)

    done = await Restore.get(id=restore.id)
    assert done.status == RestoreStatus.SUCCEEDED, done.failure_reason
    counts = AppliedCounts.model_validate(done.counts)
    # "Same" counted unchanged as the plan found it; "Bad" refused by the plan.
    assert (counts.records_changed, counts.records_unchanged, counts.records_refused) == (1, 1, 1)
    after = {
        record.id: record.properties
        for record in await Record.filter(id__in=[same.id, edited.id, bad.id])
    }
    assert after == {
        same.id: {"dealname": "Same, edited since"},
        edited.id: {"dealname": "New"},
        bad.id: {"dealname": "Bad"},
    }


async def test_the_job_writes_several_staged_batches_in_one_transaction(
    tenant: Tenant, tmp_path: Path, db_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each transaction writes `STAGED_PER_COMMIT` of the file's batches, its changes saved
    under the first one's number, and counts them as that many: `batches_done` still counts
    the file's batches, for an attempt resumed from the file."""
    if db_kind == "sqlite":
        pytest.skip("On SQLite the job sorts a file's rows in Python, from the file, again.")
    monkeypatch.setattr(restore_job, "STAGED_PER_COMMIT", 2)
    deals = await seed_records(
        tenant, "deals", [{"amount": str(i)} for i in range(3 * BATCH_SIZE + BATCH_SIZE // 2)]
    )
    rows = [[str(record.id), str(i * 2 + 1)] for i, record in enumerate(deals)]
    restore = await planned_file_restore(
        tenant, csv_bytes(["id", "amount"], rows), tmp_path, "deals"
    )

    await restore_job.run_restore(restore.id)

    done = await Restore.get(id=restore.id)
    assert done.status == RestoreStatus.SUCCEEDED, done.failure_reason
    counts = AppliedCounts.model_validate(done.counts)
    assert (counts.batches_done, counts.records_changed) == (4, len(deals))
    saved_as = await RestoreChange.filter(restore_id=restore.id).values_list("batch", flat=True)
    assert set(saved_as) == {0, 2}
