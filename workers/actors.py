"""The job actors. Thin: each loads its row through a service, which records the outcome."""

from datetime import timedelta
from uuid import UUID

import dramatiq

from services import backup_job, jobs

EXPORT_TIME_LIMIT = timedelta(hours=2)


@dramatiq.actor(
    queue_name="backups",
    max_retries=backup_job.MAX_ATTEMPTS - 1,
    min_backoff=5_000,
    max_backoff=60_000,
    time_limit=int(EXPORT_TIME_LIMIT.total_seconds() * 1000),
)
async def export_backup(backup_id: str) -> None:
    await backup_job.run_export(UUID(backup_id))


def register() -> None:
    """Route the domain's job names to these actors (on whichever broker is current)."""
    jobs.register(jobs.EXPORT_BACKUP, lambda row_id: export_backup.send(str(row_id)))
