from datetime import datetime
from typing import Self

import strawberry

import resolvers.backups
from resolvers.context import Info
from schema.accounts.types import User
from schema.scalars import BigInt
from services import backups

# The models' enums are the GraphQL ones: `strawberry.enum` marks the class in place.
strawberry.enum(backups.BackupStatus)
strawberry.enum(
    backups.FailureCode,
    description="Why a backup, import or restore failed; its failureReason says what to do.",
)
strawberry.enum(backups.BackupTrigger)
strawberry.enum(backups.BackupFrequency)


@strawberry.type
class ObjectCount:
    object_type: str
    rows: int


@strawberry.type
class Backup:
    id: strawberry.ID
    status: backups.BackupStatus
    trigger: backups.BackupTrigger
    requested_by: User | None
    created_at: datetime
    started_at: datetime | None
    snapshot_at: datetime | None = strawberry.field(
        description="Every file of the backup shows the data as of this instant."
    )
    completed_at: datetime | None
    expires_at: datetime | None = strawberry.field(
        description="Until then the backup can be downloaded and restored from: its "
        "completion plus the account's retention period for its trigger "
        "(account.backupRetentionDays or scheduledBackupRetentionDays)."
    )
    size_bytes: BigInt | None
    object_counts: list[ObjectCount] = strawberry.field(
        description="Rows per object type; a type without records has no file."
    )
    failure_reason: str | None = strawberry.field(
        description="Why the job failed, as a sentence for the user (see failureCode)."
    )
    failure_code: backups.FailureCode | None = strawberry.field(
        description="Why the job failed, for programs; null unless it failed."
    )
    includes_associations: bool = strawberry.field(
        description="The file holds associations.csv (asked for by createBackup or the schedule)."
    )
    model: strawberry.Private[backups.Backup]

    @strawberry.field(
        description="A link to the ZIP, valid for a few minutes; null until the backup "
        "succeeded; BACKUP_EXPIRED once past `expiresAt`."
    )
    def download_url(self, info: Info) -> str | None:
        return resolvers.backups.download_url(info.context, self.model)

    @classmethod
    def from_model(cls, backup: backups.Backup) -> Self:
        requester = backup.requested_by if backup.requested_by_id else None
        return cls(
            id=strawberry.ID(str(backup.id)),
            status=backup.status,
            trigger=backup.trigger,
            requested_by=User.from_model(requester) if requester else None,
            created_at=backup.created_at,
            started_at=backup.started_at,
            snapshot_at=backup.snapshot_at,
            completed_at=backup.completed_at,
            expires_at=backup.expires_at,
            size_bytes=BigInt(backup.size_bytes) if backup.size_bytes is not None else None,
            object_counts=[
                ObjectCount(object_type=name, rows=rows)
                for name, rows in sorted(backup.object_counts.items())
            ],
            includes_associations=backup.include_associations,
            failure_reason=backup.failure_reason or None,
            failure_code=backups.failure_code(backup),
            model=backup,
        )


@strawberry.type
class BackupSchedule:
    enabled: bool
    frequency: backups.BackupFrequency = strawberry.field(
        description="WEEKLY or BIWEEKLY (every two weeks)."
    )
    next_run_at: datetime | None = strawberry.field(description="Null while disabled.")
    include_associations: bool = strawberry.field(
        description="Its backups include associations.csv (updateBackupSchedule turns it on)."
    )
    updated_at: datetime

    @classmethod
    def from_model(cls, schedule: backups.BackupSchedule) -> Self:
        return cls(
            enabled=schedule.enabled,
            frequency=schedule.frequency,
            next_run_at=schedule.next_run_at,
            include_associations=schedule.include_associations,
            updated_at=schedule.updated_at,
        )
