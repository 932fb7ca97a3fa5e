"""The job actors. Thin: each loads its row through a service, which records the outcome."""

from datetime import timedelta
from uuid import UUID

import dramatiq

from services import backup_job, import_job, jobs, restore_job

EXPORT_TIME_LIMIT = timedelta(hours=2)
IMPORT_TIME_LIMIT = timedelta(hours=2)
RESTORE_TIME_LIMIT = timedelta(hours=2)


@dramatiq.actor(
    queue_name="backups",
    max_retries=backup_job.MAX_ATTEMPTS - 1,
    min_backoff=5_000,
    max_backoff=60_000,
    time_limit=int(EXPORT_TIME_LIMIT.total_seconds() * 1000),
)
async def export_backup(backup_id: str) -> None:
    await backup_job.run_export(UUID(backup_id))


@dramatiq.actor(
    queue_name="restores",
    max_retries=restore_job.MAX_ATTEMPTS - 1,
    min_backoff=5_000,
    max_backoff=60_000,
    time_limit=int(RESTORE_TIME_LIMIT.total_seconds() * 1000),
)
async def apply_restore(restore_id: str) -> None:
    await restore_job.run_restore(UUID(restore_id))


@dramatiq.actor(
    queue_name="imports",
    max_retries=import_job.MAX_ATTEMPTS - 1,
    min_backoff=5_000,
    max_backoff=60_000,
    time_limit=int(IMPORT_TIME_LIMIT.total_seconds() * 1000),
)
async def import_file(import_id: str) -> None:
    await import_job.run_import(UUID(import_id))


def register() -> None:
    """Route the domain's job names to these actors (on whichever broker is current)."""
    jobs.register(jobs.EXPORT_BACKUP, lambda row_id: export_backup.send(str(row_id)))
    jobs.register(jobs.APPLY_RESTORE, lambda row_id: apply_restore.send(str(row_id)))
    jobs.register(jobs.IMPORT_FILE, lambda row_id: import_file.send(str(row_id)))
