from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0015_restores_as_new_records')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='backup_retention_days',
            field=fields.IntField(default=14, db_default=14),
        ),
        ops.AddField(
            model_name='Account',
            name='scheduled_backup_retention_days',
            field=fields.IntField(default=14, db_default=14),
        ),
        ops.AddField(
            model_name='Backup',
            name='include_associations',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='BackupSchedule',
            name='include_associations',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
