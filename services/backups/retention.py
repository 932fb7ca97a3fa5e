"""How long an account keeps its backups: chosen by the account, manual and scheduled backups
apart, counted from each backup's completion. Expiry itself is `service.expire_backups`."""

from datetime import timedelta

from models.accounts import Account, Role
from models.backups import Backup, BackupStatus, BackupTrigger
from services import activity
from services.core import database
from services.core.errors import ValidationFailed
from services.core.viewer import Viewer

DEFAULT_DAYS = 14
MAX_DAYS = 365


def kept_for(account: Account, trigger: BackupTrigger) -> timedelta:
    """How long a backup of `trigger` stays downloadable and restorable once completed."""
    if trigger == BackupTrigger.SCHEDULED:
        return timedelta(days=account.scheduled_backup_retention_days)
    return timedelta(days=account.backup_retention_days)


def _check_days(days: int, field: str) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"`{field}` must be from 1 to {MAX_DAYS} days.", field=field)


async def update_retention(viewer: Viewer, *, days: int, scheduled_days: int | None) -> Account:
    """Sets how long backups are kept (scheduled ones: `scheduled_days`, unchanged when None).
    The backups kept now follow the new periods at once, from their completion: a shorter
    period expires the older ones at the scheduler's next pass."""
    viewer.require_role(Role.SUPER_ADMIN)
    _check_days(days, "days")
    if scheduled_days is not None:
        _check_days(scheduled_days, "scheduledDays")
    account = await Account.get(id=viewer.account_id)
    account.backup_retention_days = days
    if scheduled_days is not None:
        account.scheduled_backup_retention_days = scheduled_days
    async with database.transaction():
        await account.save(
            update_fields=["backup_retention_days", "scheduled_backup_retention_days"]
        )
        await _apply(account)
        await activity.record_event(
            account.id,
            viewer.user.id,
            "BACKUP_RETENTION_UPDATED",
            target_type="account",
            target_id=account.id,
            days=account.backup_retention_days,
            scheduled_days=account.scheduled_backup_retention_days,
        )
    return account


async def _apply(account: Account) -> None:
    kept = Backup.filter(
        account_id=account.id, status=BackupStatus.SUCCEEDED, completed_at__isnull=False
    )
    for backup in await kept.only("id", "trigger", "completed_at"):
        assert backup.completed_at is not None
        # Compare-and-set: a backup expired meanwhile stays expired.
        await Backup.filter(id=backup.id, status=BackupStatus.SUCCEEDED).update(
            expires_at=backup.completed_at + kept_for(account, backup.trigger)
        )
