from datetime import datetime
from typing import Self

import strawberry

import resolvers.backups
from resolvers.context import Info
from schema.accounts.types import User
from schema.enums import described_enum
from schema.scalars import BigInt
from services import backups

# The models' enums are the GraphQL ones, marked in place.
described_enum(
    backups.BackupStatus,
    "Where a backup is in its life.",
    {
        backups.BackupStatus.QUEUED: "Waiting for a worker.",
        backups.BackupStatus.RUNNING: "A worker is writing its files.",
        backups.BackupStatus.SUCCEEDED: "Done: it can be downloaded until `expiresAt` and "
        "restored from until `restorableUntil`.",
        backups.BackupStatus.FAILED: "It could not be made: see `failureCode` and `failureReason`.",
        backups.BackupStatus.EXPIRED: "Past its `expiresAt`: its file is deleted.",
    },
)
described_enum(
    backups.FailureCode,
    "Why a backup, import or restore failed; its failureReason says what to do.",
    {
        backups.FailureCode.STORAGE_UNAVAILABLE: "The file storage or the server's disk could "
        "not be read or written.",
        backups.FailureCode.DATABASE_UNAVAILABLE: "The database could not be reached.",
        backups.FailureCode.BACKUP_FILE_DAMAGED: "A restore's backup file is missing, damaged or "
        "incomplete.",
        backups.FailureCode.NOT_IN_BACKUP: "A restore plan asks for a property the backup's "
        "file does not hold; the reason names it.",
        backups.FailureCode.FILE_REFUSED: "An uploaded file was refused by its plan or its "
        "restore; the reason is the refusal's own message.",
        backups.FailureCode.INTERNAL: "An unexpected failure; its detail is only in the server "
        "log.",
    },
)
described_enum(
    backups.BackupTrigger,
    "What asked for a backup.",
    {
        backups.BackupTrigger.MANUAL: "A super admin, with `createBackup` (counts against the "
        "manual quota).",
        backups.BackupTrigger.SCHEDULED: "The recurring schedule (`backupSchedule`).",
    },
)
described_enum(
    backups.BackupFrequency,
    "How often a scheduled backup runs.",
    {
        backups.BackupFrequency.WEEKLY: "Every 7 days.",
        backups.BackupFrequency.BIWEEKLY: "Every 14 days.",
    },
)


@strawberry.type(description="How many records of one object type a backup holds.")
class ObjectCount:
    object_type: str = strawberry.field(description="The object type's name.")
    rows: int = strawberry.field(description="Its records in the backup (rows of its CSV file).")


@strawberry.type(
    description="A copy of every live record of the account at one instant, as a ZIP of CSV "
    "files (one per object type), kept for the account's retention period. SUPER_ADMIN only."
)
class Backup:
    id: strawberry.ID = strawberry.field(description="The backup's id.")
    status: backups.BackupStatus = strawberry.field(description="Where it is in its life.")
    trigger: backups.BackupTrigger = strawberry.field(description="What asked for it.")
    requested_by: User | None = strawberry.field(
        description="Who asked for it; null for a scheduled one, or once that user is removed."
    )
    created_at: datetime = strawberry.field(description="When it was asked for.")
    started_at: datetime | None = strawberry.field(
        description="When a worker started it; null while QUEUED."
    )
    snapshot_at: datetime | None = strawberry.field(
        description="Every file of the backup shows the data as of this instant."
    )
    completed_at: datetime | None = strawberry.field(
        description="When it succeeded or failed; null until then."
    )
    expires_at: datetime | None = strawberry.field(
        description="Until then the backup is kept and can be downloaded (and imported as a "
        "file): its completion plus the account's retention period for its trigger "
        "(account.backupRetentionDays or scheduledBackupRetentionDays); null unless it "
        "succeeded. Restoring from it automatically ends at `restorableUntil`."
    )
    size_bytes: BigInt | None = strawberry.field(
        description="The ZIP's size in bytes; null until it succeeded."
    )
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
        description="A signed link to the ZIP (GET, no other credentials), valid 5 minutes; "
        "null until the backup succeeded; BACKUP_EXPIRED once past `expiresAt`."
    )
    def download_url(self, info: Info) -> str | None:
        return resolvers.backups.download_url(info.context, self.model)

    @strawberry.field(
        description="Until when planRestore and startRestore take this backup: "
        f"{backups.RESTORABLE_FOR.days} days after it completed, whatever the retention, and "
        "never after `expiresAt`. After it the backup can still be downloaded, or imported as "
        "a file, while it is kept, but not restored automatically (BACKUP_EXPIRED). Null "
        "unless it succeeded."
    )
    def restorable_until(self) -> datetime | None:
        return resolvers.backups.restorable_until(self.model)

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


@strawberry.type(description="The account's recurring backups (ENTERPRISE tier). SUPER_ADMIN only.")
class BackupSchedule:
    enabled: bool = strawberry.field(description="Scheduled backups are on.")
    frequency: backups.BackupFrequency = strawberry.field(
        description="WEEKLY or BIWEEKLY (every two weeks)."
    )
    next_run_at: datetime | None = strawberry.field(
        description="When the next scheduled backup is queued; null while disabled."
    )
    include_associations: bool = strawberry.field(
        description="Its backups include associations.csv (updateBackupSchedule turns it on)."
    )
    updated_at: datetime = strawberry.field(description="When the schedule was last changed.")

    @classmethod
    def from_model(cls, schedule: backups.BackupSchedule) -> Self:
        return cls(
            enabled=schedule.enabled,
            frequency=schedule.frequency,
            next_run_at=schedule.next_run_at,
            include_associations=schedule.include_associations,
            updated_at=schedule.updated_at,
        )
