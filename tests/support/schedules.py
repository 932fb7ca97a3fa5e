"""Backup schedules set up directly, and the backups they made."""

from datetime import datetime

from models.backups import Backup, BackupTrigger
from models.schedules import BackupFrequency, BackupSchedule
from tests.support.tenants import Tenant


async def enable_schedule(tenant: Tenant, frequency: BackupFrequency, first_run: datetime) -> None:
    await BackupSchedule.update_or_create(
        account_id=tenant.account.id,
        defaults={"enabled": True, "frequency": frequency, "next_run_at": first_run},
    )


async def scheduled_backups(tenant: Tenant) -> int:
    return await Backup.filter(
        account_id=tenant.account.id, trigger=BackupTrigger.SCHEDULED
    ).count()
