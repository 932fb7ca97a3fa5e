"""Measure A, the product path: a backup row, its job sent through the Redis broker, and a real
worker process exporting it; timed from enqueue to the row reading SUCCEEDED."""

import asyncio
import time
from dataclasses import dataclass
from uuid import UUID

from bench.worker import WorkerProcess
from models.backups import Backup, BackupStatus, BackupTrigger
from services import jobs
from services.auth import now
from services.job_claims import UNCLAIMED_FOR

POLL_SECONDS = 0.02


@dataclass(frozen=True)
class BackupResult:
    seconds: float
    rows: int
    size_bytes: int


async def measure(account_id: UUID, worker: WorkerProcess, limit_seconds: float) -> BackupResult:
    # As createBackup does: the row committed first, then the job sent.
    backup = await Backup.create(
        account_id=account_id,
        trigger=BackupTrigger.MANUAL,
        lease_expires_at=now() + UNCLAIMED_FOR,
    )
    started = time.perf_counter()
    jobs.enqueue(jobs.EXPORT_BACKUP, backup.id)
    done = await _finished(backup.id, worker, started + limit_seconds)
    seconds = time.perf_counter() - started
    return BackupResult(seconds, sum(done.object_counts.values()), done.size_bytes or 0)


async def _finished(backup_id: UUID, worker: WorkerProcess, deadline: float) -> Backup:
    while True:
        backup = await Backup.get(id=backup_id)
        if backup.status == BackupStatus.SUCCEEDED:
            return backup
        # A failed attempt goes back to QUEUED with its reason: the benchmark stops there.
        if backup.status == BackupStatus.FAILED or backup.failure_reason:
            raise RuntimeError(f"The backup failed: {backup.failure_reason}")
        if not worker.alive():
            raise RuntimeError(f"The worker exited:\n{worker.log_tail()}")
        if time.perf_counter() > deadline:
            raise TimeoutError(f"The backup was still {backup.status} at the deadline")
        await asyncio.sleep(POLL_SECONDS)
