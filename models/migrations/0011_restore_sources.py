from tortoise import migrations
from tortoise.migrations.operations import RunPython
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.ids import new_id
from models.restores import ChangeAction, RestoreSource
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The indexes of `restores` as migrations 0005 created them.
RESTORES_INDEXES = (
    'CREATE INDEX IF NOT EXISTS "idx_restores_account_f9b734" ON "restores" ("account_id", "id")',
    "CREATE UNIQUE INDEX IF NOT EXISTS uniq_restores_one_active_per_account ON restores "
    "(account_id) WHERE status IN ('QUEUED', 'RUNNING')",
)


async def _on_sqlite(schema_editor: BaseSchemaEditor, *statements: str) -> None:
    if schema_editor.client.capabilities.dialect == "sqlite":
        for statement in statements:
            await schema_editor.client.execute_script(statement)


async def stop_sqlite_cascades(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """SQLite rebuilds a table to alter a column, and dropping the old one would cascade to
    the rows that refer to it (the saved changes) while foreign keys are on."""
    await _on_sqlite(schema_editor, "PRAGMA foreign_keys = OFF")


async def restore_sqlite_indexes(apps: object, schema_editor: BaseSchemaEditor) -> None:
    """PostgreSQL altered the columns in place; SQLite rebuilt the table without its indexes."""
    await _on_sqlite(schema_editor, *RESTORES_INDEXES, "PRAGMA foreign_keys = ON")


class Migration(migrations.Migration):
    dependencies = [('crm', '0010_record_change_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RestoreRefusal',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('restore', fields.ForeignKeyField('crm.Restore', source_field='restore_id', db_constraint=True, to_field='id', related_name='refusals', on_delete=OnDelete.CASCADE)),
                ('object_type_name', fields.CharField(max_length=64)),
                ('row_number', fields.BigIntField()),
                ('record_id', fields.CharField(default='', max_length=64)),
                ('values', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reason', fields.TextField(unique=False)),
            ],
            options={'table': 'restore_refusals', 'app': 'crm', 'indexes': [Index(fields=['restore_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Restore',
            name='file_key',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Restore',
            name='file_name',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Restore',
            name='source',
            field=fields.CharEnumField(default=RestoreSource.BACKUP, description='BACKUP: BACKUP\nFILE: FILE', db_default=RestoreSource.BACKUP, enum_type=RestoreSource, max_length=16),
        ),
        ops.AddField(
            model_name='RestoreChange',
            name='action',
            field=fields.CharEnumField(default=ChangeAction.UPDATE, description='UPDATE: UPDATE\nUNDELETE: UNDELETE\nRECREATE: RECREATE', db_default=ChangeAction.UPDATE, enum_type=ChangeAction, max_length=16),
        ),
        ops.AddField(
            model_name='RestoreChange',
            name='deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='RestoreChange',
            name='object_type',
            field=fields.ForeignKeyField('crm.ObjectType', source_field='object_type_id', null=True, db_constraint=True, to_field='id', related_name='restore_changes', on_delete=OnDelete.CASCADE),
        ),
        # On SQLite these rebuild the table, which drops its indexes: recreated below.
        ops.RunPython(stop_sqlite_cascades, RunPython.noop),
        ops.AlterField(
            model_name='Restore',
            name='backup',
            field=fields.ForeignKeyField('crm.Backup', source_field='backup_id', null=True, db_constraint=True, to_field='id', related_name='restores', on_delete=OnDelete.CASCADE),
        ),
        ops.AlterField(
            model_name='Restore',
            name='object_type',
            field=fields.ForeignKeyField('crm.ObjectType', source_field='object_type_id', null=True, db_constraint=True, to_field='id', related_name='restores', on_delete=OnDelete.CASCADE),
        ),
        ops.RunPython(restore_sqlite_indexes, RunPython.noop),
    ]
