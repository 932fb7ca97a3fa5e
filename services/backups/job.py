"""Running one backup export: claim the row, export from one snapshot, store, record the outcome.
(How claims make at-least-once delivery safe: `services.job_claims`.)"""

import asyncio
import logging
import re
from pathlib import Path
from uuid import UUID

from models.backups import Backup, BackupStatus, BackupTrigger
from services import storage
from services.activity import audit, notifications
from services.backups import quota as quotas
from services.backups.export import ExportResult, export_account
from services.backups.service import DOWNLOADABLE_FOR
from services.core import database, environment
from services.core.clock import now
from services.jobs import progress as job_events
from services.jobs.claims import Claim, LostClaim, claim, release_for_retry
from services.jobs.progress import JobEvent
from services.storage import backup_key

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Each attempt builds its ZIP in a scratch file of its own in the work dir.
SCRATCH_NAME = re.compile(r"^(?P<backup_id>[0-9a-f-]{36})-(?P<attempt>[0-9]+)\.zip$")


def _scratch_path(work_dir: Path, backup: Backup) -> Path:
    return work_dir / f"{backup.id}-{backup.attempts}.zip"


async def sweep_scratch(work_dir: Path) -> int:
    """Delete the scratch files that no running attempt holds any more: a worker killed
    mid-export leaves its file behind (a live one always deletes its own). A file exists only
    after its attempt's claim, and attempts only grow, so a file found dead stays dead."""
    found = {
        path: (UUID(match["backup_id"]), int(match["attempt"]))
        for path in await asyncio.to_thread(lambda: list(work_dir.iterdir()))
        if (match := SCRATCH_NAME.match(path.name))
    }
    if not found:
        return 0
    running = await Backup.filter(
        id__in={backup_id for backup_id, _ in found.values()}, status=BackupStatus.RUNNING
    ).values_list("id", "attempts")
    live = {(backup_id, attempts) for backup_id, attempts in running}
    stale = [path for path, attempt in found.items() if attempt not in live]
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        log.info("Removed %d scratch files left by workers that died", len(stale))
    return len(stale)


async def run_export(backup_id: UUID) -> None:
    """The export job. Raises to ask for a retry while attempts remain."""
    held = await claim(Backup, backup_id)
    if held is None:
        log.info("Backup %s is not waiting for a worker; nothing to do", backup_id)
        return
    backup = held.row
    env = environment.current()
    # A worker that died on this machine may have left its scratch file: reclaim the space.
    await sweep_scratch(env.work_dir)
    scratch = _scratch_path(env.work_dir, backup)
    try:
        async with held.renewing():
            result = await export_account(
                backup.account_id, backup.id, scratch, env.database_url, progress=held.progress
            )
            key = backup_key(backup.account_id, backup.id)
            await storage.current().put_file(key, scratch)
    except LostClaim:
        log.warning("Backup %s was taken over by another worker", backup.id)
        return
    except Exception as error:
        await _attempt_failed(held, error)
        return
    finally:
        scratch.unlink(missing_ok=True)
    await _succeeded(held, result, key)


async def _succeeded(held: Claim[Backup], result: ExportResult, key: str) -> None:
    backup = held.row
    completed_at = now()
    async with database.transaction():
        finished = await held.mine().update(
            status=BackupStatus.SUCCEEDED,
            snapshot_at=result.snapshot_at,
            completed_at=completed_at,
            expires_at=completed_at + DOWNLOADABLE_FOR,
            storage_key=key,
            size_bytes=result.size_bytes,
            sha256=result.sha256,
            object_counts=result.object_counts,
            lease_expires_at=None,
            failure_reason="",
        )
        if not finished:
            log.warning("Backup %s was taken over before it could be marked done", backup.id)
            return
        await audit.record_event(
            backup.account_id,
            backup.requested_by_id,
            "BACKUP_COMPLETED",
            target_type="backup",
            target_id=backup.id,
            rows=sum(result.object_counts.values()),
            size_bytes=result.size_bytes,
        )
    await job_events.publish(backup.id, JobEvent(str(backup.id), BackupStatus.SUCCEEDED.value))
    await notifications.notify_super_admins(
        backup.account_id,
        "BACKUP_READY",
        "Your backup is ready",
        f"Snapshot of {result.snapshot_at:%Y-%m-%d %H:%M} UTC, "
        f"{sum(result.object_counts.values())} records. It can be downloaded for 14 days.",
        subject_id=str(backup.id),
    )


async def _attempt_failed(held: Claim[Backup], error: Exception) -> None:
    """Put the backup back in the queue for a retry, or fail it for good after the last one."""
    backup = held.row
    reason = f"{type(error).__name__}: {error}"
    log.error("Backup %s attempt %d failed: %s", backup.id, backup.attempts, reason, exc_info=error)
    if backup.attempts < MAX_ATTEMPTS:
        await release_for_retry(held, reason)
        raise RetryBackup(reason) from error
    async with database.transaction():
        failed = await held.mine().update(
            status=BackupStatus.FAILED,
            failure_reason=reason,
            completed_at=now(),
            lease_expires_at=None,
        )
        if not failed:
            return
        if backup.quota_until is not None:
            await quotas.give_back_manual_backup(backup.account_id, backup.quota_until)
        await audit.record_event(
            backup.account_id,
            backup.requested_by_id,
            "BACKUP_FAILED",
            target_type="backup",
            target_id=backup.id,
            reason=reason,
        )
    await job_events.publish(backup.id, JobEvent(str(backup.id), BackupStatus.FAILED.value))
    await notifications.notify_super_admins(
        backup.account_id,
        "BACKUP_FAILED",
        "Your backup failed",
        f"{reason}. " + _AFTER_FAILURE[backup.trigger],
        subject_id=str(backup.id),
    )


_AFTER_FAILURE = {
    BackupTrigger.MANUAL: "The manual backup quota was given back: you can try again now.",
    BackupTrigger.SCHEDULED: "The schedule goes on: the next run is not affected.",
}


class RetryBackup(Exception):
    """Raised to the job queue so that it delivers the backup again after a back-off."""
