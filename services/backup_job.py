"""Running one backup export: claim the row, export from one snapshot, store, record the outcome.

Delivery is at least once, so every step is a compare-and-set on the row: a duplicate message
finds the backup claimed and does nothing, and a worker that lost its claim cannot finish it.
"""

import logging
import time
from datetime import timedelta
from uuid import UUID

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models.backups import Backup, BackupStatus, BackupTrigger
from services import audit, environment, job_events, notifications, quotas
from services.auth import now
from services.backups import DOWNLOADABLE_FOR
from services.export import ExportResult, export_account
from services.job_events import JobEvent
from services.storage import backup_key

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A running export renews its lease at least this often; a lapsed one means its worker died.
LEASE = timedelta(seconds=60)
RENEW_EVERY_SECONDS = 10.0
PROGRESS_EVERY_SECONDS = 0.5


class LostClaim(Exception):
    """Another worker took the backup over (this one was presumed dead)."""


class _Claim:
    """This worker's hold on a RUNNING backup, identified by its attempt number."""

    def __init__(self, backup: Backup) -> None:
        self.backup = backup
        self._renewed = time.monotonic()
        self._published = 0.0

    def mine(self) -> Q:
        return Q(id=self.backup.id, status=BackupStatus.RUNNING, attempts=self.backup.attempts)

    async def progress(self, object_type: str, rows_done: int, rows_total: int) -> None:
        clock = time.monotonic()
        if clock - self._renewed >= RENEW_EVERY_SECONDS:
            if not await Backup.filter(self.mine()).update(lease_expires_at=now() + LEASE):
                raise LostClaim(str(self.backup.id))
            self._renewed = clock
        if clock - self._published >= PROGRESS_EVERY_SECONDS or rows_done == rows_total:
            self._published = clock
            event = JobEvent(str(self.backup.id), "RUNNING", object_type, rows_done, rows_total)
            await job_events.publish(self.backup.id, event)


async def claim(backup_id: UUID) -> _Claim | None:
    """Take a QUEUED backup, or a RUNNING one whose worker died; None if there is nothing to do."""
    at = now()
    claimable = Q(status=BackupStatus.QUEUED) | Q(
        status=BackupStatus.RUNNING, lease_expires_at__lt=at
    )
    taken = await Backup.filter(claimable, id=backup_id).update(
        status=BackupStatus.RUNNING,
        started_at=at,
        lease_expires_at=at + LEASE,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    return _Claim(await Backup.get(id=backup_id))


async def run_export(backup_id: UUID) -> None:
    """The export job. Raises to ask for a retry while attempts remain."""
    held = await claim(backup_id)
    if held is None:
        log.info("Backup %s is not waiting for a worker; nothing to do", backup_id)
        return
    backup = held.backup
    env = environment.current()
    scratch = env.work_dir / f"{backup.id}-{backup.attempts}.zip"
    try:
        result = await export_account(
            backup.account_id, backup.id, scratch, env.database_url, progress=held.progress
        )
        key = backup_key(backup.account_id, backup.id)
        await env.storage.put_file(key, scratch)
    except LostClaim:
        log.warning("Backup %s was taken over by another worker", backup.id)
        return
    except Exception as error:
        await _attempt_failed(held, error)
        return
    finally:
        scratch.unlink(missing_ok=True)
    await _succeeded(held, result, key)


async def _succeeded(held: _Claim, result: ExportResult, key: str) -> None:
    backup = held.backup
    completed_at = now()
    async with in_transaction():
        finished = await Backup.filter(held.mine()).update(
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


async def _attempt_failed(held: _Claim, error: Exception) -> None:
    """Put the backup back in the queue for a retry, or fail it for good after the last one."""
    backup = held.backup
    reason = f"{type(error).__name__}: {error}"
    log.error("Backup %s attempt %d failed: %s", backup.id, backup.attempts, reason, exc_info=error)
    if backup.attempts < MAX_ATTEMPTS:
        await Backup.filter(held.mine()).update(
            status=BackupStatus.QUEUED, failure_reason=reason, lease_expires_at=now() + LEASE
        )
        raise RetryBackup(reason) from error
    async with in_transaction():
        failed = await Backup.filter(held.mine()).update(
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
