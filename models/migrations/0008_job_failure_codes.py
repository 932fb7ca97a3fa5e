from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0007_live_records_by_type')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Backup',
            name='failure_code',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Import',
            name='failure_code',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Restore',
            name='failure_code',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
