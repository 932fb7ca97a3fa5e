"""Backups: requesting one, listing them, their download links; the recurring schedule."""

from datetime import datetime

from resolvers.context import Context
from services import accounts, backups
from services.accounts import Scope
from services.core.pagination import Page

# A backup's ZIP can be asked for from then on; an expired one answers BACKUP_EXPIRED.
DOWNLOADABLE = (backups.BackupStatus.SUCCEEDED, backups.BackupStatus.EXPIRED)


async def update_backup_retention(
    context: Context, days: int, scheduled_days: int | None
) -> accounts.Account:
    """A step-up first: a shorter period deletes backups sooner. A person's act: no token
    scope names it."""
    viewer = context.require_viewer()
    viewer.require_role(accounts.Role.SUPER_ADMIN)
    accounts.require_step_up(viewer)
    return await backups.update_retention(viewer, days=days, scheduled_days=scheduled_days)


async def create_backup(
    context: Context, confirm: bool, include_associations: bool
) -> backups.Backup:
    return await backups.request_manual_backup(
        context.require_viewer(Scope.BACKUPS),
        confirm=confirm,
        include_associations=include_associations,
    )


async def list_backups(context: Context, first: int, after: str | None) -> Page[backups.Backup]:
    return await backups.list_backups(context.require_viewer(Scope.READ), first, after)


async def get_backup(context: Context, backup_id: str) -> backups.Backup:
    return await backups.get_backup(context.require_viewer(Scope.READ), backup_id)


def download_url(context: Context, backup: backups.Backup) -> str | None:
    if backup.status not in DOWNLOADABLE:
        return None
    token = backups.download_token(context.require_viewer(Scope.DOWNLOADS), backup)
    return context.link("download_backup", token=token)


def restorable_until(backup: backups.Backup) -> datetime | None:
    return backups.restorable_until(backup)


async def backup_schedule(context: Context) -> backups.BackupSchedule:
    return await backups.get_schedule(context.require_viewer(Scope.READ))


async def update_backup_schedule(
    context: Context,
    enabled: bool,
    frequency: backups.BackupFrequency | None,
    first_run_at: datetime | None,
    include_associations: bool | None,
) -> backups.BackupSchedule:
    return await backups.update_schedule(
        context.require_viewer(Scope.SCHEDULES),
        enabled=enabled,
        frequency=frequency,
        first_run_at=first_run_at,
        include_associations=include_associations,
    )
