"""The job actors. Thin: each loads its row through a service, which records the outcome."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import dramatiq

from services.backups import job as backup_job
from services.imports import job as import_job
from services.jobs import queue as jobs
from services.restores import job as restore_job

# An export, import or restore of a large account takes minutes; two hours means it is stuck.
TIME_LIMIT = timedelta(hours=2)
# One queue for every job: a worker polls each queue (and its delay queue) while idle, and a
# queue per job cost an idle worker three times the CPU and the Redis commands, for nothing:
# any worker runs any job, one at a time per thread.
QUEUE = "jobs"


def job_actor(attempts: int) -> Callable[[Callable[[str], Awaitable[None]]], Any]:
    """A job's actor: `attempts` tries in all, a back-off of seconds to a minute (not
    Dramatiq's default of 20 retries over days)."""
    return dramatiq.actor(
        queue_name=QUEUE,
        max_retries=attempts - 1,
        min_backoff=5_000,
        max_backoff=60_000,
        time_limit=int(TIME_LIMIT.total_seconds() * 1000),
    )


@job_actor(backup_job.MAX_ATTEMPTS)
async def export_backup(backup_id: str) -> None:
    await backup_job.run_export(UUID(backup_id))


@job_actor(restore_job.MAX_ATTEMPTS)
async def apply_restore(restore_id: str) -> None:
    await restore_job.run_restore(UUID(restore_id))


@job_actor(import_job.MAX_ATTEMPTS)
async def import_file(import_id: str) -> None:
    await import_job.run_import(UUID(import_id))


def register() -> None:
    """Route the domain's job names to these actors (on whichever broker is current)."""
    jobs.register(jobs.EXPORT_BACKUP, lambda row_id: export_backup.send(str(row_id)))
    jobs.register(jobs.APPLY_RESTORE, lambda row_id: apply_restore.send(str(row_id)))
    jobs.register(jobs.IMPORT_FILE, lambda row_id: import_file.send(str(row_id)))
