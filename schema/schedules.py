from datetime import datetime
from typing import Self

import strawberry

from models.schedules import BackupFrequency
from models.schedules import BackupSchedule as BackupScheduleModel

# The models' enums are the GraphQL ones: `strawberry.enum` marks the class in place.
strawberry.enum(BackupFrequency)


@strawberry.type
class BackupSchedule:
    enabled: bool
    frequency: BackupFrequency = strawberry.field(
        description="WEEKLY or BIWEEKLY (every two weeks)."
    )
    next_run_at: datetime | None = strawberry.field(description="Null while disabled.")
    updated_at: datetime

    @classmethod
    def from_model(cls, schedule: BackupScheduleModel) -> Self:
        return cls(
            enabled=schedule.enabled,
            frequency=schedule.frequency,
            next_run_at=schedule.next_run_at,
            updated_at=schedule.updated_at,
        )
