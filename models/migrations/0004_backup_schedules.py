from tortoise import migrations
from tortoise.migrations import operations as ops
from models.ids import new_id
from models.schedules import BackupFrequency
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0003_backup_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BackupSchedule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.OneToOneField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='backup_schedule', on_delete=OnDelete.CASCADE)),
                ('enabled', fields.BooleanField(default=False)),
                ('frequency', fields.CharEnumField(default=BackupFrequency.WEEKLY, description='WEEKLY: WEEKLY\nBIWEEKLY: BIWEEKLY', enum_type=BackupFrequency, max_length=16)),
                ('next_run_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'backup_schedules', 'app': 'crm', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
