"""Uploaded files nothing will read again go with the scheduler's pass, with the rows their
plans staged: a plan's never started a day on, and a finished restore's that storage could not
delete at the time; a file a plan or a restore may still read stays, and so do its rows."""

from datetime import timedelta
from pathlib import Path

from models.restores import Restore, RestoreStatus
from services import storage
from services.core.clock import now
from tests.support.imports import csv_bytes, queued_file_restore, stage_a_row, staged_rows
from tests.support.tenants import Tenant
from workers import scheduler

DAY_AND_MORE = timedelta(days=1, minutes=1)


async def test_files_nothing_will_read_go_and_the_others_stay(
    tenant: Tenant, tmp_path: Path
) -> None:
    content = csv_bytes(["id", "dealname"], [])
    cases = {
        "planned long ago": (RestoreStatus.PLANNED, DAY_AND_MORE, False),
        "failed plan long ago": (RestoreStatus.PLAN_FAILED, DAY_AND_MORE, False),
        "planned today": (RestoreStatus.PLANNED, timedelta(hours=2), True),
        "finished, not deleted then": (RestoreStatus.SUCCEEDED, timedelta(0), False),
        # Last: one restore of an account is active at a time.
        "running, started long ago": (RestoreStatus.RUNNING, DAY_AND_MORE, True),
    }
    restores = {}
    for name, (status, age, _) in cases.items():
        restore = await queued_file_restore(tenant, content, tmp_path, "deals")
        await Restore.filter(id=restore.id).update(status=status, created_at=now() - age)
        restores[name] = restore
        staged = await stage_a_row(restore)

    await scheduler.run_pass()

    for name, (_, _, kept) in cases.items():
        key = restores[name].file_key
        assert await storage.current().exists(key) == kept, name
        assert ((await Restore.get(id=restores[name].id)).file_key == key) == kept, name
        assert await staged_rows(restores[name].id) == (staged if kept else 0), name
