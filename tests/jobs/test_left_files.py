"""The files a worker killed mid-job leaves (a storage temporary that never got its rename, a
scratch copy in the work dir) are removed by the scheduler's pass once no live job can hold
them: a storage temporary after a job lease, a work-dir file after the longest attempt."""

from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from server.settings import Settings
from services import jobs
from services.core.clock import now
from services.storage import backup_key
from tests.support.servers import Server
from workers import scheduler

LEASE = timedelta(seconds=60)  # The suite's JOB_LEASE_SECONDS, the default.
BEYOND = timedelta(minutes=1)


def _left_files(settings: Settings) -> tuple[Path, Path]:
    """A storage temporary beside a backup's place, and a restore's scratch copy."""
    stored = settings.storage_dir / backup_key(uuid4(), uuid4())
    stored.parent.mkdir(parents=True)
    temporary = stored.parent / f".tmp-{uuid4()}"
    temporary.write_bytes(b"half a backup")
    scratch = settings.work_dir / f"restore-{uuid4()}.zip"
    scratch.write_bytes(b"a backup being read")
    return temporary, scratch


async def test_files_left_by_killed_workers_go_once_no_job_can_hold_them(
    server: Server, settings: Settings
) -> None:
    assert settings.job_lease_seconds == LEASE.total_seconds()
    temporary, scratch = _left_files(settings)

    await scheduler.run_pass()
    assert temporary.exists() and scratch.exists()
    # A lease later, the temporary is an orphan; an attempt may still be reading the scratch.
    await jobs.remove_left_files(at=now() + LEASE + BEYOND)
    assert not temporary.exists() and scratch.exists()
    await jobs.remove_left_files(at=now() + jobs.ATTEMPT_TIME_LIMIT + BEYOND)
    assert not scratch.exists()
