from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.ids import new_id
from models.imports import ImportSource, ImportStatus
from models.restores import RestoreKind, RestoreStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('crm', '0004_backup_schedules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Import',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='imports', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('source', fields.CharEnumField(description='RESTORE: RESTORE\nFILE: FILE', enum_type=ImportSource, max_length=16)),
                ('status', fields.CharEnumField(default=ImportStatus.QUEUED, description='QUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=ImportStatus, max_length=16)),
                ('requested_by', fields.ForeignKeyField('crm.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='imports', on_delete=OnDelete.SET_NULL)),
                ('restore_id', fields.UUIDField(null=True)),
                ('storage_key', fields.CharField(default='', max_length=255)),
                ('object_type_name', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('rows_done', fields.BigIntField(default=0)),
                ('attempts', fields.IntField(default=0)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failure_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'imports', 'app': 'crm', 'indexes': [Index(fields=['account_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportRowError',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('import_job', fields.ForeignKeyField('crm.Import', source_field='import_job_id', db_constraint=True, to_field='id', related_name='row_errors', on_delete=OnDelete.CASCADE)),
                ('object_type_name', fields.CharField(max_length=64)),
                ('row_number', fields.BigIntField()),
                ('record_id', fields.CharField(default='', max_length=64)),
                ('reason', fields.TextField(unique=False)),
            ],
            options={'table': 'import_row_errors', 'app': 'crm', 'indexes': [Index(fields=['import_job_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Restore',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='restores', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(default=RestoreKind.RESTORE, description='RESTORE: RESTORE\nREVERT: REVERT', enum_type=RestoreKind, max_length=16)),
                ('backup', fields.ForeignKeyField('crm.Backup', source_field='backup_id', db_constraint=True, to_field='id', related_name='restores', on_delete=OnDelete.CASCADE)),
                ('reverts', fields.ForeignKeyField('crm.Restore', source_field='reverts_id', null=True, db_constraint=True, to_field='id', related_name='reverted_by', on_delete=OnDelete.CASCADE)),
                ('object_type', fields.ForeignKeyField('crm.ObjectType', source_field='object_type_id', db_constraint=True, to_field='id', related_name='restores', on_delete=OnDelete.CASCADE)),
                ('properties', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=RestoreStatus.PLANNED, description='PLANNED: PLANNED\nQUEUED: QUEUED\nRUNNING: RUNNING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=RestoreStatus, max_length=16)),
                ('plan', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('requested_by', fields.ForeignKeyField('crm.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='restores', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('attempts', fields.IntField(default=0)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failure_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'restores', 'app': 'crm', 'indexes': [Index(fields=['account_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RestoreChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('restore', fields.ForeignKeyField('crm.Restore', source_field='restore_id', db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('batch', fields.IntField()),
                ('record_id', fields.UUIDField()),
                ('before', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'restore_changes', 'app': 'crm', 'unique_together': (('restore', 'record_id'),), 'indexes': [Index(fields=['restore_id', 'batch'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TotpAttempt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('crm.User', source_field='user_id', db_constraint=True, to_field='id', related_name='totp_attempts', on_delete=OnDelete.CASCADE)),
                ('attempted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('succeeded', fields.BooleanField(default=False)),
            ],
            options={'table': 'totp_attempts', 'app': 'crm', 'indexes': [Index(fields=['user_id', 'attempted_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='totp_last_step',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='User',
            name='totp_pending_secret_encrypted',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='User',
            name='totp_secret_encrypted',
            field=fields.TextField(null=True, unique=False),
        ),
            # One QUEUED or RUNNING restore per account, enforced by the database (partial unique
        # index; written as SQL because the schema editor cannot express it on SQLite).
        ops.RunSQL(
            "CREATE UNIQUE INDEX uniq_restores_one_active_per_account ON restores (account_id) "
            "WHERE status IN ('QUEUED', 'RUNNING')",
            reverse_sql="DROP INDEX uniq_restores_one_active_per_account",
        ),
    ]
