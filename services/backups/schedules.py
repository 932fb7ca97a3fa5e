"""Recurring backups for Enterprise accounts.

Each due run is claimed by moving `next_run_at` forward with a compare-and-set, in the same
transaction that creates the backup: several schedulers racing produce one backup per run, and
a schedule that missed runs during downtime produces one backup, not one per missed period.
"""

from datetime import datetime, timedelta

from models.accounts import Account, Role, Tier
from models.backups import Backup, BackupTrigger
from models.schedules import BackupFrequency, BackupSchedule
from services import activity, jobs
from services.core import database
from services.core.clock import now, require_zone
from services.core.errors import TierRequired, ValidationFailed
from services.core.viewer import Viewer

PERIOD = {
    BackupFrequency.WEEKLY: timedelta(weeks=1),
    BackupFrequency.BIWEEKLY: timedelta(weeks=2),
}


async def _check_access(viewer: Viewer) -> None:
    viewer.require_role(Role.SUPER_ADMIN)
    account = await Account.get(id=viewer.account_id)
    if account.tier != Tier.ENTERPRISE:
        raise TierRequired("Scheduled backups are part of the ENTERPRISE tier.")


async def get_schedule(viewer: Viewer) -> BackupSchedule:
    """The account's schedule (disabled until set)."""
    await _check_access(viewer)
    schedule, _ = await BackupSchedule.get_or_create(account_id=viewer.account_id)
    return schedule


async def update_schedule(
    viewer: Viewer,
    *,
    enabled: bool,
    frequency: BackupFrequency | None = None,
    first_run_at: datetime | None = None,
    include_associations: bool | None = None,
    at: datetime | None = None,
) -> BackupSchedule:
    """Turn the schedule on (first run one period from now unless given) or off; whether its
    backups include associations.csv (unchanged when None)."""
    at = at or now()
    schedule = await get_schedule(viewer)
    require_zone(first_run_at, "firstRunAt")
    if first_run_at is not None and (not enabled or first_run_at <= at):
        raise ValidationFailed(
            "`firstRunAt` must be in the future, and only when enabling.", field="firstRunAt"
        )
    schedule.frequency = frequency or schedule.frequency
    schedule.enabled = enabled
    if include_associations is not None:
        schedule.include_associations = include_associations
    schedule.next_run_at = (first_run_at or at + PERIOD[schedule.frequency]) if enabled else None
    async with database.transaction():
        await schedule.save()
        await activity.record_event(
            viewer.account_id,
            viewer.user.id,
            "BACKUP_SCHEDULE_UPDATED",
            target_type="backup_schedule",
            target_id=schedule.id,
            enabled=enabled,
            frequency=schedule.frequency.value,
            next_run_at=schedule.next_run_at.isoformat() if schedule.next_run_at else None,
            include_associations=schedule.include_associations,
        )
    return schedule


def following_run(scheduled: datetime, frequency: BackupFrequency, at: datetime) -> datetime:
    """The first run after `at` on the schedule's cadence (skipping the runs missed)."""
    period = PERIOD[frequency]
    missed = (at - scheduled) // period + 1 if at >= scheduled else 0
    return scheduled + missed * period


async def run_due_schedules(at: datetime | None = None) -> int:
    """Create the backups of the schedules that are due; returns how many."""
    at = at or now()
    due = await BackupSchedule.filter(
        enabled=True, next_run_at__lte=at, account__tier=Tier.ENTERPRISE
    )
    started = [backup for schedule in due if (backup := await _start_run(schedule, at))]
    return len(started)


async def _start_run(schedule: BackupSchedule, at: datetime) -> Backup | None:
    assert schedule.next_run_at is not None
    async with jobs.queueing(jobs.EXPORT_BACKUP, at=at) as queued:
        claimed = await BackupSchedule.filter(
            id=schedule.id, enabled=True, next_run_at=schedule.next_run_at
        ).update(next_run_at=following_run(schedule.next_run_at, schedule.frequency, at))
        if not claimed:
            return None  # Another scheduler took this run.
        return await queued.create(
            account_id=schedule.account_id,
            trigger=BackupTrigger.SCHEDULED,
            include_associations=schedule.include_associations,
        )
