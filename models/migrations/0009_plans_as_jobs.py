from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.restores import RestoreStatus


class AlterEnumValues(ops.AlterField):
    """The enum gains values and a new default, set by the application: the column itself
    (VARCHAR(16) NOT NULL, no database default) does not change. Only the state moves on, as
    altering the column would rebuild the table on SQLite and drop its partial unique index."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('crm', '0008_job_failure_codes')]

    initial = False

    operations = [
        AlterEnumValues(
            model_name='Restore',
            name='status',
            field=fields.CharEnumField(default=RestoreStatus.PLAN_QUEUED, description='PLAN_QUEUED: PLAN_QUEUED\nPLANNING: PLANNING\nPLANNED: PLANNED\nPLAN_FAILED: PLAN_FAILED\nQUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=RestoreStatus, max_length=16),
        ),
    ]
