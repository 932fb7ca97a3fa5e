from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, User
from models.ids import new_id


class BackupStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


class BackupTrigger(StrEnum):
    MANUAL = "MANUAL"
    SCHEDULED = "SCHEDULED"


class Backup(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="backups", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(BackupStatus, max_length=16, default=BackupStatus.QUEUED)
    trigger = fields.CharEnumField(BackupTrigger, max_length=16)
    # Kept when the user is removed: the backup still belongs to the account.
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="backups", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    # The database time the export's snapshot was taken: every file agrees as of this instant.
    snapshot_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    # Where the ZIP lives in storage; blank until it has been stored whole.
    storage_key = fields.CharField(max_length=255, default="")
    size_bytes = fields.BigIntField(null=True)
    sha256 = fields.CharField(max_length=64, default="")
    # Object type name -> rows in the file.
    object_counts: dict[str, int] = fields.JSONField(default=dict)
    failure_reason = fields.TextField(default="")
    # Blank, or why the job failed as API clients see it (`services.jobs.FailureCode`).
    failure_code = fields.CharField(max_length=32, default="", db_default="")
    attempts = fields.IntField(default=0)
    # When a QUEUED or RUNNING backup counts as lost (no worker took it, or its worker died)
    # and is sent again; a running worker keeps pushing it forward.
    lease_expires_at = fields.DatetimeField(null=True)
    # associations.csv is in the file too (asked for by createBackup or the schedule).
    include_associations = fields.BooleanField(default=False, db_default=False)
    # The end of the manual-backup window this backup took, given back if it fails.
    quota_until = fields.DatetimeField(null=True)

    account_id: UUID
    requested_by_id: UUID | None

    class Meta:
        table = "backups"
        indexes = (("account_id", "id"),)
