from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, User
from models.backups import Backup
from models.ids import new_id


class ComparisonStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RecordChange(StrEnum):
    """How a record differs between the two sides of a comparison."""

    ADDED = "ADDED"
    # Gone from the later side, into the recycle bin.
    DELETED = "DELETED"
    # Gone from the later side for good.
    PURGED = "PURGED"
    CHANGED = "CHANGED"


# What changed between a backup and a later one (or the account's data now), computed by a
# worker: its counts and samples in `result`, its differing records in `ComparedRecord`.
class Comparison(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="comparisons", on_delete=fields.CASCADE
    )
    from_backup: fields.ForeignKeyRelation[Backup] = fields.ForeignKeyField(
        "crm.Backup", related_name="compared_from", on_delete=fields.CASCADE
    )
    # Null: the account's records as they are when the job runs.
    to_backup: fields.ForeignKeyNullableRelation[Backup] = fields.ForeignKeyField(
        "crm.Backup", related_name="compared_to", null=True, on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(ComparisonStatus, max_length=16, default=ComparisonStatus.QUEUED)
    # Queued after a backup succeeded, with the backup before it: what it finds is checked
    # against the account's mass-change thresholds.
    watch = fields.BooleanField(default=False)
    # Counts per object type and property, and sample changes (`services.comparisons.summary`).
    result: dict[str, object] = fields.JSONField(default=dict)
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="comparisons", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    lease_expires_at = fields.DatetimeField(null=True)
    failure_reason = fields.TextField(default="")
    failure_code = fields.CharField(max_length=32, default="")

    account_id: UUID
    from_backup_id: UUID
    to_backup_id: UUID | None
    requested_by_id: UUID | None

    class Meta:
        table = "comparisons"
        indexes = (("account_id", "id"),)


# An account's thresholds for mass-change alerts (none stored: the defaults, alerts on).
class MassChangeSettings(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "crm.Account", related_name="mass_change_settings", on_delete=fields.CASCADE
    )
    enabled = fields.BooleanField(default=True)
    # Percent of an object type's records deleted or purged, and of a property's values
    # changed, set or cleared, above which a backup raises an alert.
    deleted_percent = fields.FloatField(default=5.0)
    changed_percent = fields.FloatField(default=10.0)
    # Fewer records or values than this never raise an alert.
    minimum_count = fields.IntField(default=50)
    # Object type name -> its own thresholds (the keys above, each optional).
    object_types: dict[str, dict[str, float]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    account_id: UUID

    class Meta:
        table = "mass_change_settings"


# One record a comparison found added, removed or changed, with the properties that differ:
# the rows of its CSV download.
class ComparedRecord(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    comparison: fields.ForeignKeyRelation[Comparison] = fields.ForeignKeyField(
        "crm.Comparison", related_name="records", on_delete=fields.CASCADE
    )
    object_type = fields.CharField(max_length=100)
    record_id = fields.UUIDField()
    change = fields.CharEnumField(RecordChange, max_length=16)
    # The names of the properties whose values differ (for CHANGED).
    properties: list[str] = fields.JSONField(default=list)

    comparison_id: UUID

    class Meta:
        table = "compared_records"
        indexes = (("comparison_id", "object_type", "record_id"),)
