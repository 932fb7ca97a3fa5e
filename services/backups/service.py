"""Backups: requesting one (under the manual quota), listing them, links to download them,
how long one can be restored from, and the sweep that expires old files (and the comparisons of
them)."""

from datetime import datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.accounts import Account, Role
from models.backups import Backup, BackupStatus, BackupTrigger
from models.comparisons import Comparison
from models.restores import Restore
from services import activity, jobs, storage
from services.backups import quota as quotas
from services.core import database
from services.core.clock import now
from services.core.errors import DomainError, ErrorCode, NotFound, ValidationFailed
from services.core.ids import parse_id
from services.core.pagination import Page, paginate
from services.core.signing import DownloadLinks
from services.core.viewer import Viewer

DOWNLOAD_PURPOSE = "backup-download"
LINKS = DownloadLinks(DOWNLOAD_PURPOSE)
# An automated restore takes a backup only this long after it completed, however long the
# account keeps it: older values are brought back from its file, reviewed like any upload.
RESTORABLE_FOR = timedelta(days=14)


class BackupExpired(DomainError):
    code = ErrorCode.BACKUP_EXPIRED


def _of_account(account_id: UUID) -> QuerySet[Backup]:
    return Backup.filter(account_id=account_id)


async def request_manual_backup(
    viewer: Viewer, *, confirm: bool, include_associations: bool = False
) -> Backup:
    """Queue a backup of the viewer's account (with associations.csv when asked), if the
    tier's manual quota allows one now."""
    viewer.require_role(Role.SUPER_ADMIN)
    if not confirm:
        raise ValidationFailed("Confirm the backup with `confirm: true`.", field="confirm")
    account = await Account.get(id=viewer.account_id)
    async with jobs.queueing(jobs.EXPORT_BACKUP) as queued:
        taken_until = await quotas.consume_manual_backup(account, now())
        backup = await queued.create(
            account_id=account.id,
            trigger=BackupTrigger.MANUAL,
            requested_by=viewer.user,
            quota_until=taken_until,
            include_associations=include_associations,
        )
        await activity.record_event(
            account.id,
            viewer.user.id,
            "BACKUP_REQUESTED",
            target_type="backup",
            target_id=backup.id,
        )
    return backup


async def list_backups(viewer: Viewer, first: int, after: str | None) -> Page[Backup]:
    viewer.require_role(Role.SUPER_ADMIN)
    backups = _of_account(viewer.account_id).select_related("requested_by")
    return await paginate(backups, first, after, newest_first=True)


async def get_backup(viewer: Viewer, backup_id: str | UUID) -> Backup:
    viewer.require_role(Role.SUPER_ADMIN)
    backup = (
        await _of_account(viewer.account_id)
        .select_related("requested_by")
        .get_or_none(id=parse_id(backup_id))
    )
    if backup is None:
        raise NotFound(f"No backup with the id {backup_id}.")
    return backup


def check_usable(backup: Backup, at: datetime) -> None:
    """A backup can be downloaded and restored from while SUCCEEDED and before it expires
    (the account's retention period after it completed)."""
    if backup.status == BackupStatus.EXPIRED or (
        backup.expires_at is not None and backup.expires_at <= at
    ):
        raise BackupExpired(f"The backup expired at {backup.expires_at}; it can no longer be used.")
    if backup.status != BackupStatus.SUCCEEDED:
        raise ValidationFailed(f"The backup is {backup.status.value}, not ready yet.")


def restorable_until(backup: Backup) -> datetime | None:
    """Until when an automated restore takes the backup: RESTORABLE_FOR after it completed and
    never after it expires; None unless it SUCCEEDED."""
    if backup.status != BackupStatus.SUCCEEDED or backup.completed_at is None:
        return None
    until = backup.completed_at + RESTORABLE_FOR
    return until if backup.expires_at is None else min(until, backup.expires_at)


def check_restorable(backup: Backup, at: datetime) -> None:
    """check_usable, and within the backup's restore window; past it, BACKUP_EXPIRED with
    `keptUntil`: until then its file can still be downloaded and imported."""
    check_usable(backup, at)
    until = restorable_until(backup)
    if until is not None and until <= at:
        days = RESTORABLE_FOR.days
        raise BackupExpired(
            f"The backup completed more than {days} days ago: it can no longer be restored "
            "automatically. Download its file while it is kept and restore from the file.",
            keptUntil=None if backup.expires_at is None else backup.expires_at.isoformat(),
        )


def download_token(viewer: Viewer, backup: Backup) -> str:
    """A token for a short-lived download link (minutes), while the backup is downloadable."""
    check_usable(backup, now())
    return LINKS.token(viewer, backup.id)


def download_name(backup: Backup) -> str:
    """The name a downloaded backup file is saved under."""
    return f"crm-backup-{backup.snapshot_at:%Y%m%d-%H%M%S}-{backup.id}.zip"


async def open_download(token: str) -> Backup:
    """The backup a download link points at, audit-logged as downloaded."""
    target = LINKS.target(token)
    backup = await _of_account(target.account_id).get_or_none(id=target.object_id)
    if backup is None:
        raise NotFound("No such backup.")
    check_usable(backup, now())
    await activity.record_download(target, "BACKUP_DOWNLOADED", "backup")
    return backup


async def expire_backups(at: datetime | None = None) -> int:
    """Mark backups past their retention period EXPIRED, delete their files and the
    comparisons they are a side of."""
    at = at or now()
    files = storage.current()
    expired = 0
    for backup in await Backup.filter(status=BackupStatus.SUCCEEDED, expires_at__lte=at):
        async with database.transaction():
            # Compare-and-set: with several schedulers, one of them deletes each file.
            taken = await Backup.filter(id=backup.id, status=BackupStatus.SUCCEEDED).update(
                status=BackupStatus.EXPIRED
            )
            if taken:
                await _forget_comparisons(backup.id)
        if taken:
            await files.delete(backup.storage_key)
            expired += 1
    return expired


async def _forget_comparisons(backup_id: UUID) -> None:
    """The comparisons from or to the backup, their differing records with them; except one a
    restore was limited to, which that restore reads while it runs and names afterwards."""
    through_restores = Restore.filter(comparison_id__isnull=False).values("comparison_id")
    await (
        Comparison.filter(Q(from_backup_id=backup_id) | Q(to_backup_id=backup_id))
        .exclude(id__in=Subquery(through_restores))
        .delete()
    )
