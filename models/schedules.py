from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.ids import new_id


class BackupFrequency(StrEnum):
    WEEKLY = "WEEKLY"
    BIWEEKLY = "BIWEEKLY"


class BackupSchedule(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "crm.Account", related_name="backup_schedule", on_delete=fields.CASCADE
    )
    enabled = fields.BooleanField(default=False)
    frequency = fields.CharEnumField(BackupFrequency, max_length=16, default=BackupFrequency.WEEKLY)
    # The next run; null while disabled. Claimed by compare-and-set, so one backup per run.
    next_run_at = fields.DatetimeField(null=True, db_index=True)
    # Its backups include associations.csv.
    include_associations = fields.BooleanField(default=False, db_default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    account_id: UUID

    class Meta:
        table = "backup_schedules"
