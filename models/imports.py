from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, User
from models.ids import new_id


class ImportSource(StrEnum):
    RESTORE = "RESTORE"
    FILE = "FILE"


class ImportStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


# An entry of the account's imports list: an uploaded file, or a finished restore.
class Import(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="imports", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=200)
    source = fields.CharEnumField(ImportSource, max_length=16)
    status = fields.CharEnumField(ImportStatus, max_length=16, default=ImportStatus.QUEUED)
    requested_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="imports", null=True, on_delete=fields.SET_NULL
    )
    # The restore this entry reports, for source RESTORE.
    restore_id = fields.UUIDField(null=True)
    # The uploaded file in storage, for source FILE; blank once processed.
    storage_key = fields.CharField(max_length=255, default="")
    # For a single uploaded CSV: the object type its rows belong to.
    object_type_name = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    # created, updated, restored (from the recycle bin), unchanged, failed.
    counts: dict[str, int] = fields.JSONField(default=dict)
    # Rows fully processed, in file order: a resumed job continues after them.
    rows_done = fields.BigIntField(default=0)
    attempts = fields.IntField(default=0)
    lease_expires_at = fields.DatetimeField(null=True)
    failure_reason = fields.TextField(default="")
    # Blank, or why the job failed as API clients see it (`services.jobs.FailureCode`).
    failure_code = fields.CharField(max_length=32, default="", db_default="")

    account_id: UUID
    requested_by_id: UUID | None

    class Meta:
        table = "imports"
        indexes = (("account_id", "id"),)


# A row the import refused; the other rows went on.
class ImportRowError(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    import_job: fields.ForeignKeyRelation[Import] = fields.ForeignKeyField(
        "crm.Import", related_name="row_errors", on_delete=fields.CASCADE
    )
    # Which file of a backup ZIP (its object type) and which data row in it (1 = first).
    object_type_name = fields.CharField(max_length=64)
    row_number = fields.BigIntField()
    record_id = fields.CharField(max_length=64, default="")
    reason = fields.TextField()

    import_job_id: UUID

    class Meta:
        table = "import_row_errors"
        indexes = (("import_job_id", "id"),)
