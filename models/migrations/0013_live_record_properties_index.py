from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# Live records' properties, for `propertyEquals` (`properties @> {...}`): without it a filter
# reads every record of the type. jsonb_path_ops indexes each name and value pair as one hash,
# smaller and quicker to update than the default operator class; `@>` is all the filter needs.
# PostgreSQL only: SQLite has no such index, and filters there read the type's records.
CREATE = (
    "CREATE INDEX records_live_properties ON records USING gin (properties jsonb_path_ops) "
    "WHERE deleted_at IS NULL"
)
DROP = "DROP INDEX IF EXISTS records_live_properties"


async def _on_postgres(schema_editor: BaseSchemaEditor, sql: str) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(sql)


async def create_index(apps: object, schema_editor: BaseSchemaEditor) -> None:
    await _on_postgres(schema_editor, CREATE)


async def drop_index(apps: object, schema_editor: BaseSchemaEditor) -> None:
    await _on_postgres(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [('crm', '0012_user_access_and_recovery_codes')]

    initial = False

    operations = [
        ops.RunPython(create_index, reverse_code=drop_index),
    ]
