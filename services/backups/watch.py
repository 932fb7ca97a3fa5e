"""After a backup succeeds: queue its comparison with the account's previous succeeded backup,
whose findings the comparisons domain checks against the account's mass-change thresholds.
Queued once the backup's outcome has committed; an account that turned alerts off gets none."""

from uuid import UUID

from models.backups import Backup, BackupStatus
from models.comparisons import MassChangeSettings
from services import jobs


async def watch(backup_id: UUID) -> None:
    """Queue the comparison of the succeeded backup `backup_id` with the one before it."""
    backup = await Backup.get(id=backup_id)
    settings = await MassChangeSettings.get_or_none(account_id=backup.account_id)
    if settings is not None and not settings.enabled:
        return
    previous = (
        await Backup.filter(
            account_id=backup.account_id,
            status=BackupStatus.SUCCEEDED,
            snapshot_at__lt=backup.snapshot_at,
        )
        .order_by("-snapshot_at")
        .first()
    )
    if previous is None:
        return
    async with jobs.queueing(jobs.COMPARE_BACKUPS) as queued:
        await queued.create(
            account_id=backup.account_id, from_backup=previous, to_backup=backup, watch=True
        )
