from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# How common the values of an object type's properties are among its live records, from a
# sample of them (`services.crm.value_shares`): a filtered page asks the properties' index
# first for a value rarer than its walk of the id order could fill a page with
# (`services.crm.record_pages`), as PostgreSQL keeps no such statistics inside jsonb. One row
# per type sampled (when, and how many live records it had), and one per value held by at
# least one sampled record in a thousand, with its share of the sample. Both are only ever a
# guess: a page reads the same rows whatever they say, so nothing here needs to be exact or
# current, and a type without a sample pages as before.
# PostgreSQL only: SQLite has no index of the properties to choose.
CREATE = """
CREATE TABLE property_value_samples (
    object_type_id uuid PRIMARY KEY REFERENCES object_types (id) ON DELETE CASCADE,
    records bigint NOT NULL,
    sampled_at timestamptz NOT NULL
);
CREATE TABLE property_value_shares (
    object_type_id uuid NOT NULL
        REFERENCES property_value_samples (object_type_id) ON DELETE CASCADE,
    name text NOT NULL,
    value text NOT NULL,
    share real NOT NULL,
    PRIMARY KEY (object_type_id, name, value)
)
"""
DROP = "DROP TABLE IF EXISTS property_value_shares; DROP TABLE IF EXISTS property_value_samples"


async def _on_postgres(schema_editor: BaseSchemaEditor, sql: str) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(sql)


async def create_tables(apps: object, schema_editor: BaseSchemaEditor) -> None:
    await _on_postgres(schema_editor, CREATE)


async def drop_tables(apps: object, schema_editor: BaseSchemaEditor) -> None:
    await _on_postgres(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("crm", "0020_restore_staged_rows")]

    initial = False

    operations = [
        ops.RunPython(create_tables, reverse_code=drop_tables),
    ]
