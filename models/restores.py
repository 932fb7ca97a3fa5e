from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, User
from models.backups import Backup
from models.comparisons import Comparison
from models.crm import ObjectType
from models.ids import new_id


class RestoreStatus(StrEnum):
    # The plan, computed by a worker.
    PLAN_QUEUED = "PLAN_QUEUED"
    PLANNING = "PLANNING"
    PLANNED = "PLANNED"
    PLAN_FAILED = "PLAN_FAILED"
    # Put aside by a super admin without starting it.
    PLAN_DISCARDED = "PLAN_DISCARDED"
    # Applying it, once started.
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RestoreKind(StrEnum):
    RESTORE = "RESTORE"
    # Puts back the values a restore overwrote.
    REVERT = "REVERT"


class RestoreSource(StrEnum):
    """Where a restore's values come from."""

    # A stored backup: chosen properties of one object type, on live records only.
    BACKUP = "BACKUP"
    # An uploaded file (a backup ZIP, or one object type's CSV): every column of every file,
    # bringing records back from the recycle bin and recreating purged ones.
    FILE = "FILE"


class ChangeAction(StrEnum):
    """What a restore did to a record, so that its revert can undo exactly that."""

    UPDATE = "UPDATE"
    # Taken out of the recycle bin (and given the file's values).
    UNDELETE = "UNDELETE"
    # A purged record created again with its original id.
    RECREATE = "RECREATE"
    # Created with a new id: a record of a file restored as new records.
    CREATE = "CREATE"


# A restore of property values from a backup or an uploaded file: planned by a worker
# (PLAN_QUEUED, PLANNING, PLANNED), then started (QUEUED), applied in batches by a worker.
# At most one QUEUED or RUNNING per account, enforced by a partial unique index (see the
# migration).
class Restore(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="restores", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(RestoreKind, max_length=16, default=RestoreKind.RESTORE)
    source = fields.CharEnumField(
        RestoreSource, max_length=16, default=RestoreSource.BACKUP, db_default=RestoreSource.BACKUP
    )
    # For source FILE, chosen at upload: every row becomes a new record with a new id (another
    # account's backup restored into this one), whatever record its id names.
    as_new_records = fields.BooleanField(default=False, db_default=False)
    # For source BACKUP.
    backup: fields.ForeignKeyNullableRelation[Backup] = fields.ForeignKeyField(
        "crm.Backup", related_name="restores", null=True, on_delete=fields.CASCADE
    )
    # For source FILE: the uploaded file in storage (blank once the restore is over, as
    # nothing reads it again), and its name as the client gave it.
    file_key = fields.CharField(max_length=255, default="", db_default="")
    file_name = fields.CharField(max_length=200, default="", db_default="")
    # For a REVERT: the restore it undoes.
    reverts: fields.ForeignKeyNullableRelation["Restore"] = fields.ForeignKeyField(
        "crm.Restore", related_name="reverted_by", null=True, on_delete=fields.CASCADE
    )
    # Null for a backup ZIP uploaded whole: every object type it holds.
    object_type: fields.ForeignKeyNullableRelation[ObjectType] = fields.ForeignKeyField(
        "crm.ObjectType", related_name="restores", null=True, on_delete=fields.CASCADE
    )
    # The chosen properties; empty for a file: every column of it.
    properties: list[str] = fields.JSONField(default=list)
    # For source BACKUP, a restore of chosen records only: these ids (as text), or the records
    # a comparison found changed or removed in the object type. Neither: every record.
    record_ids: list[str] | None = fields.JSONField(null=True)
    comparison: fields.ForeignKeyNullableRelation[Comparison] = fields.ForeignKeyField(
        "crm.Comparison", related_name="restores", null=True, on_delete=fields.CASCADE
    )
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
    failure_code = fields.CharField(max_length=32, default="", db_default="")

    account_id: UUID
    backup_id: UUID | None
    reverts_id: UUID | None
    comparison_id: UUID | None
    object_type_id: UUID | None
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
    # The record's type (null in changes saved before a restore could span several).
    object_type: fields.ForeignKeyNullableRelation[ObjectType] = fields.ForeignKeyField(
        "crm.ObjectType", related_name="restore_changes", null=True, on_delete=fields.CASCADE
    )
    action = fields.CharEnumField(
        ChangeAction, max_length=16, default=ChangeAction.UPDATE, db_default=ChangeAction.UPDATE
    )
    # For UNDELETE: when the record had been moved to the recycle bin.
    deleted_at = fields.DatetimeField(null=True)
    # For CREATE: the record's id in the file (the id map's old id).
    source_id = fields.CharField(max_length=64, null=True)
    # Property name -> value; null where the property was (or became) blank.
    before: dict[str, str | None] = fields.JSONField()
    after: dict[str, str | None] = fields.JSONField()

    restore_id: UUID
    object_type_id: UUID | None

    class Meta:
        table = "restore_changes"
        unique_together = (("restore", "record_id"),)


# An association a restore from a backup's file added, for its revert to remove (only those).
class RestoreAssociation(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    restore: fields.ForeignKeyRelation[Restore] = fields.ForeignKeyField(
        "crm.Restore", related_name="associations_added", on_delete=fields.CASCADE
    )
    batch = fields.IntField()
    # No foreign key: the association may be removed by hand since, and the revert skips it.
    association_id = fields.UUIDField()

    restore_id: UUID

    class Meta:
        table = "restore_associations"
        unique_together = (("restore", "association_id"),)


# A row of an uploaded file that its restore's plan refused (an unknown id, a value its
# property does not accept...), with the row's values, so it can be fixed and sent again.
class RestoreRefusal(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    restore: fields.ForeignKeyRelation[Restore] = fields.ForeignKeyField(
        "crm.Restore", related_name="refusals", on_delete=fields.CASCADE
    )
    # Which file of the upload (its object type) and which data row in it (1 = first).
    object_type_name = fields.CharField(max_length=64)
    row_number = fields.BigIntField()
    record_id = fields.CharField(max_length=64, default="")
    # Property name -> value, as in the file (blank values absent).
    values: dict[str, str] = fields.JSONField(default=dict)
    reason = fields.TextField()

    restore_id: UUID

    class Meta:
        table = "restore_refusals"
        indexes = (("restore_id", "id"),)
