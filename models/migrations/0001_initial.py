from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.accounts import AuthMethod, Role, Tier
from models.crm import PropertyType
from models.ids import new_id
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('tier', fields.CharEnumField(description='STARTER: STARTER\nPROFESSIONAL: PROFESSIONAL\nENTERPRISE: ENTERPRISE', enum_type=Tier, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'accounts', 'app': 'crm', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ObjectType',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='object_types', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('singular_label', fields.CharField(max_length=100)),
                ('plural_label', fields.CharField(max_length=100)),
                ('is_custom', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'object_types', 'app': 'crm', 'unique_together': (('account', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Property',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('object_type', fields.ForeignKeyField('crm.ObjectType', source_field='object_type_id', db_constraint=True, to_field='id', related_name='properties', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('label', fields.CharField(max_length=200)),
                ('type', fields.CharEnumField(description='STRING: STRING\nNUMBER: NUMBER\nDATE: DATE\nDATETIME: DATETIME\nBOOL: BOOL\nENUMERATION: ENUMERATION', enum_type=PropertyType, max_length=16)),
                ('options', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sensitive', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'properties', 'app': 'crm', 'unique_together': (('object_type', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurgedRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='purged_records', on_delete=OnDelete.CASCADE)),
                ('object_type', fields.ForeignKeyField('crm.ObjectType', source_field='object_type_id', db_constraint=True, to_field='id', related_name='purged_records', on_delete=OnDelete.CASCADE)),
                ('purged_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'purged_records', 'app': 'crm', 'pk_attr': 'id', 'table_description': 'Tombstone of a permanently deleted record, so an import can recognise and refuse it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Record',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.CASCADE)),
                ('object_type', fields.ForeignKeyField('crm.ObjectType', source_field='object_type_id', db_constraint=True, to_field='id', related_name='records', on_delete=OnDelete.CASCADE)),
                ('properties', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'records', 'app': 'crm', 'indexes': [Index(fields=['object_type_id', 'id']), Index(fields=['account_id', 'deleted_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Association',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='associations', on_delete=OnDelete.CASCADE)),
                ('from_record', fields.ForeignKeyField('crm.Record', source_field='from_record_id', db_constraint=True, to_field='id', related_name='associations_from', on_delete=OnDelete.CASCADE)),
                ('to_record', fields.ForeignKeyField('crm.Record', source_field='to_record_id', db_constraint=True, to_field='id', related_name='associations_to', on_delete=OnDelete.CASCADE)),
                ('label', fields.CharField(default='', max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'associations', 'app': 'crm', 'unique_together': (('from_record', 'to_record', 'label'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='users', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(unique=True, max_length=320)),
                ('name', fields.CharField(default='', max_length=200)),
                ('role', fields.CharEnumField(description='SUPER_ADMIN: SUPER_ADMIN\nADMIN: ADMIN\nMEMBER: MEMBER', enum_type=Role, max_length=16)),
                ('password_hash', fields.CharField(null=True, max_length=200)),
                ('invitation_token_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('invitation_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'users', 'app': 'crm', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='audit_events', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('crm.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_events', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=64)),
                ('target_type', fields.CharField(default='', max_length=64)),
                ('target_id', fields.CharField(default='', max_length=64)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_events', 'app': 'crm', 'indexes': [Index(fields=['account_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('crm.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('crm.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=64)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('subject_id', fields.CharField(default='', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications', 'app': 'crm', 'indexes': [Index(fields=['user_id', 'read_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('crm.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('auth_method', fields.CharEnumField(description='PASSWORD: PASSWORD\nSSO: SSO', enum_type=AuthMethod, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('reauthenticated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sessions', 'app': 'crm', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
