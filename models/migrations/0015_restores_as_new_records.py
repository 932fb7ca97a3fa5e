from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('crm', '0014_api_tokens')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Restore',
            name='as_new_records',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='RestoreChange',
            name='source_id',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
