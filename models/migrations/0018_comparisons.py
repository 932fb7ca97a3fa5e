from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.comparisons import ComparisonStatus, RecordChange
from models.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0017_restore_associations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Comparison',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='comparisons', on_delete=OnDelete.CASCADE)),
                ('from_backup', fields.ForeignKeyField('crm.Backup', source_field='from_backup_id', db_constraint=True, to_field='id', related_name='compared_from', on_delete=OnDelete.CASCADE)),
                ('to_backup', fields.ForeignKeyField('crm.Backup', source_field='to_backup_id', null=True, db_constraint=True, to_field='id', related_name='compared_to', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=ComparisonStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=ComparisonStatus, max_length=16)),
                ('watch', fields.BooleanField(default=False)),
                ('result', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('requested_by', fields.ForeignKeyField('crm.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='comparisons', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failure_reason', fields.TextField(default='', unique=False)),
                ('failure_code', fields.CharField(default='', max_length=32)),
            ],
            options={'table': 'comparisons', 'app': 'crm', 'indexes': [Index(fields=['account_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MassChangeSettings',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.OneToOneField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='mass_change_settings', on_delete=OnDelete.CASCADE)),
                ('enabled', fields.BooleanField(default=True)),
                ('deleted_percent', fields.FloatField(default=5.0)),
                ('changed_percent', fields.FloatField(default=10.0)),
                ('minimum_count', fields.IntField(default=50)),
                ('object_types', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'mass_change_settings', 'app': 'crm', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ComparedRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('comparison', fields.ForeignKeyField('crm.Comparison', source_field='comparison_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.CASCADE)),
                ('object_type', fields.CharField(max_length=100)),
                ('record_id', fields.UUIDField()),
                ('change', fields.CharEnumField(description='ADDED: ADDED\nDELETED: DELETED\nPURGED: PURGED\nCHANGED: CHANGED', enum_type=RecordChange, max_length=16)),
                ('properties', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'compared_records', 'app': 'crm', 'indexes': [Index(fields=['comparison_id', 'object_type', 'record_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Restore',
            name='record_ids',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Restore',
            name='comparison',
            field=fields.ForeignKeyField('crm.Comparison', source_field='comparison_id', null=True, db_constraint=True, to_field='id', related_name='restores', on_delete=OnDelete.CASCADE),
        ),
    ]
