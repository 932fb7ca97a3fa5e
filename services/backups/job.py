"""The backup export job: export the account from one snapshot into a scratch ZIP, store it,
record the outcome. (Claiming, retries and the outcome's fence: `services.jobs.runner`.)"""

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from pathlib import Path
from uuid import UUID

from models.accounts import Account
from models.backups import Backup, BackupStatus, BackupTrigger
from services import jobs, storage
from services.activity import audit, notifications
from services.backups import quota as quotas
from services.backups.export import ExportResult, export_account
from services.backups.retention import DEFAULT_DAYS, kept_for
from services.backups.watch import watch
from services.core import environment
from services.core.text import plural
from services.storage import backup_key

log = logging.getLogger(__name__)

# Each attempt builds its ZIP in a scratch file of its own in the work dir, and its parallel
# streams their types beside it (`<scratch>.<n>.part`).
SCRATCH_NAME = re.compile(
    r"^(?P<backup_id>[0-9a-f-]{36})-(?P<attempt>[0-9]+)\.zip(\.[0-9]+\.part)?$"
)


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


class ExportJob(jobs.Job[Backup]):
    kind = jobs.EXPORT_BACKUP
    fails_at_once = ()  # Every failure is retried: storage, disk or database may be back.

    def __init__(self, held: jobs.Claim[Backup]) -> None:
        super().__init__(held)
        self.scratch = _scratch_path(environment.current().work_dir, self.row)
        # Set once the export is stored.
        self.exported: ExportResult | None = None
        self.kept_for = timedelta(days=DEFAULT_DAYS)

    @contextlib.asynccontextmanager
    async def scratch_space(self) -> AsyncIterator[None]:
        # A worker that died on this machine may have left its scratch file: reclaim the space.
        await sweep_scratch(self.scratch.parent)
        try:
            yield
        finally:
            self.scratch.unlink(missing_ok=True)

    async def work(self) -> None:
        backup = self.row
        files = storage.current()
        # Sealed as it is written: the export's file is the one stored.
        scratch = files.scratch(self.scratch)
        result = await export_account(
            backup.account_id,
            backup.id,
            scratch,
            environment.current().database_url,
            streams=environment.current().export_streams,
            progress=self.held.progress,
            include_associations=backup.include_associations,
        )
        await files.put_scratch(_key(backup), scratch)
        # The period in force when the backup completes; changing it later moves it too.
        self.kept_for = kept_for(await Account.get(id=backup.account_id), backup.trigger)
        self.exported = result

    def outcome_columns(self, outcome: jobs.Outcome) -> jobs.Columns:
        exported = self.exported
        if exported is None:
            return {}
        return {
            "snapshot_at": exported.snapshot_at,
            "expires_at": outcome.at + self.kept_for,
            "storage_key": _key(self.row),
            "size_bytes": exported.size_bytes,
            "sha256": exported.sha256,
            "object_counts": exported.object_counts,
        }

    async def record_outcome(self, outcome: jobs.Outcome) -> None:
        backup, exported = self.row, self.exported
        if exported is not None:
            action = "BACKUP_COMPLETED"
            details: Mapping[str, object] = {
                "rows": sum(exported.object_counts.values()),
                "size_bytes": exported.size_bytes,
            }
        else:
            action, details = "BACKUP_FAILED", outcome.failure_details()
            if backup.quota_until is not None:
                await quotas.give_back_manual_backup(backup.account_id, backup.quota_until)
        await audit.record_event(
            backup.account_id,
            backup.requested_by_id,
            action,
            target_type="backup",
            target_id=backup.id,
            **details,
        )

    async def announce_outcome(self, outcome: jobs.Outcome) -> None:
        backup, exported = self.row, self.exported
        if exported is not None:
            kind, title = "BACKUP_READY", "Your backup is ready"
            # No clock time: the page shows the notification's own time in the reader's zone.
            records = plural(sum(exported.object_counts.values()), "record", "records")
            body = f"{records} backed up. It can be downloaded for {self.kept_for.days} days."
        else:
            kind, title = "BACKUP_FAILED", "Your backup failed"
            body = f"{outcome.reason} " + _AFTER_FAILURE[backup.trigger]
        if exported is not None:
            await watch(backup.id)
        await notifications.notify_super_admins(
            backup.account_id, kind, title, body, subject_id=str(backup.id)
        )


def _key(backup: Backup) -> str:
    return backup_key(backup.account_id, backup.id)


_AFTER_FAILURE = {
    BackupTrigger.MANUAL: "The manual backup quota was given back: you can try again now.",
    BackupTrigger.SCHEDULED: "The schedule goes on: the next run is not affected.",
}

run_export = ExportJob.run
