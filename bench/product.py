"""Measure A, the product path: a backup row, its job sent through the Redis broker, and a real
worker process exporting it; timed from queueing the row to its SUCCEEDED job event."""

import time
from dataclasses import dataclass
from uuid import UUID

from bench.worker import WorkerProcess, until_succeeded
from models.backups import BackupTrigger
from services import jobs


@dataclass(frozen=True)
class BackupResult:
    seconds: float
    rows: int
    size_bytes: int


async def measure(account_id: UUID, worker: WorkerProcess, limit_seconds: float) -> BackupResult:
    # As createBackup does: the row committed first, then the job sent.
    started = time.perf_counter()
    async with jobs.queueing(jobs.EXPORT_BACKUP) as queued:
        backup = await queued.create(account_id=account_id, trigger=BackupTrigger.MANUAL)
    done = await until_succeeded(worker, jobs.EXPORT_BACKUP, backup.id, started + limit_seconds)
    seconds = time.perf_counter() - started
    return BackupResult(seconds, sum(done.object_counts.values()), done.size_bytes or 0)
