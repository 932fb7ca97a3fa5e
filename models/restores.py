from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, User
from models.backups import Backup
from models.crm import ObjectType
from models.ids import new_id


class RestoreStatus(StrEnum):
    # The plan, computed by a worker.
    PLAN_QUEUED = "PLAN_QUEUED"
    PLANNING = "PLANNING"
    PLANNED = "PLANNED"
    PLAN_FAILED = "PLAN_FAILED"
    # Applying it, once started.
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RestoreKind(StrEnum):
    RESTORE = "RESTORE"
    # Puts back the values a restore overwrote.
    REVERT = "REVERT"


# A restore of some property values of one object type from a backup: planned by a worker
# (PLAN_QUEUED, PLANNING, PLANNED), then started (QUEUED), applied in batches by a worker.
# At most one QUEUED or RUNNING per account, enforced by a partial unique index (see the
# migration).
class Restore(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="restores", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(RestoreKind, max_length=16, default=RestoreKind.RESTORE)
    backup: fields.ForeignKeyRelation[Backup] = fields.ForeignKeyField(
        "crm.Backup", related_name="restores", on_delete=fields.CASCADE
    )
    # For a REVERT: the restore it undoes.
    reverts: fields.ForeignKeyNullableRelation["Restore"] = fields.ForeignKeyField(
        "crm.Restore", related_name="reverted_by", null=True, on_delete=fields.CASCADE
    )
    object_type: fields.ForeignKeyRelation[ObjectType] = fields.ForeignKeyField(
        "crm.ObjectType", related_name="restores", on_delete=fields.CASCADE
    )
    properties: list[str] = fields.JSONField(default=list)
    status = fields.CharEnumField(RestoreStatus, max_length=16, default=RestoreStatus.PLAN_QUEUED)
    # What the plan found: per-property counts, missing and new records, sample changes.
    plan: dict[str, object] = fields.JSONField(default=dict)
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="restores", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    # What applying really changed (the data may have moved since the plan).
    counts: dict[str, int] = fields.JSONField(default=dict)
    attempts = fields.IntField(default=0)
    lease_expires_at = fields.DatetimeField(null=True)
    failure_reason = fields.TextField(default="")
    # Blank, or why the job failed as API clients see it (`services.jobs.FailureCode`).
    failure_code = fields.CharField(max_length=32, default="")

    account_id: UUID
    backup_id: UUID
    reverts_id: UUID | None
    object_type_id: UUID
    requested_by_id: UUID | None

    class Meta:
        table = "restores"
        indexes = (("account_id", "id"),)


# One record's values as a batch of a restore found and left them. Written in the batch's
# own transaction: it is how a resumed job knows the batch was applied, and what a revert
# puts back.
class RestoreChange(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    restore: fields.ForeignKeyRelation[Restore] = fields.ForeignKeyField(
        "crm.Restore", related_name="changes", on_delete=fields.CASCADE
    )
    batch = fields.IntField()
    record_id = fields.UUIDField()
    # Property name -> value; null where the property was (or became) blank.
    before: dict[str, str | None] = fields.JSONField()
    after: dict[str, str | None] = fields.JSONField()

    restore_id: UUID

    class Meta:
        table = "restore_changes"
        unique_together = (("restore", "record_id"),)
