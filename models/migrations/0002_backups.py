from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.backups import BackupStatus, BackupTrigger
from models.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Backup',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='backups', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=BackupStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED\nEXPIRED: EXPIRED', enum_type=BackupStatus, max_length=16)),
                ('trigger', fields.CharEnumField(description='MANUAL: MANUAL\nSCHEDULED: SCHEDULED', enum_type=BackupTrigger, max_length=16)),
                ('requested_by', fields.ForeignKeyField('crm.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='backups', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('snapshot_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('storage_key', fields.CharField(default='', max_length=255)),
                ('size_bytes', fields.BigIntField(null=True)),
                ('sha256', fields.CharField(default='', max_length=64)),
                ('object_counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('failure_reason', fields.TextField(default='', unique=False)),
                ('attempts', fields.IntField(default=0)),
            ],
            options={'table': 'backups', 'app': 'crm', 'indexes': [Index(fields=['account_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
