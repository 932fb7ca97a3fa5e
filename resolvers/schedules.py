from datetime import datetime

from models.schedules import BackupFrequency as BackupFrequencyModel
from schema.context import Info
from schema.schedules import BackupFrequency, BackupSchedule
from services import backups


async def backup_schedule(info: Info) -> BackupSchedule:
    return BackupSchedule.from_model(await backups.get_schedule(info.context.require_viewer()))


async def update_backup_schedule(
    info: Info,
    enabled: bool,
    frequency: BackupFrequency | None = None,
    first_run_at: datetime | None = None,
) -> BackupSchedule:
    schedule = await backups.update_schedule(
        info.context.require_viewer(),
        enabled=enabled,
        frequency=BackupFrequencyModel(frequency) if frequency else None,
        first_run_at=first_run_at,
    )
    return BackupSchedule.from_model(schedule)
