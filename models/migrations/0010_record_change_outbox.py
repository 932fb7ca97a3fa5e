from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [('crm', '0009_plans_as_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RecordChangeBatch',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='record_change_batches', on_delete=OnDelete.CASCADE)),
                ('object_type', fields.CharField(max_length=64)),
                ('changes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'record_change_batches', 'app': 'crm', 'indexes': [Index(fields=['account_id', 'object_type', 'id'])], 'pk_attr': 'id', 'table_description': "The change events of one object type's records, written in the transaction that changed"},
            bases=['Model'],
        ),
        # The batches a relay has yet to publish, by account and in order: the relay's every
        # look stays on this small index however many sent batches are kept. Partial, so SQL.
        ops.RunSQL(
            "CREATE INDEX record_change_batches_unsent ON record_change_batches (account_id, id) "
            "WHERE sent_at IS NULL",
            reverse_sql="DROP INDEX record_change_batches_unsent",
        ),
    ]
