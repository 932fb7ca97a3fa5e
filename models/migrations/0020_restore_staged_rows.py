from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor

# The rows of an uploaded file that its plan found to write, and per batch of the file how many
# rows already held their values, kept for the job that applies it (`services.restores.staged`):
# the job then neither reads nor checks the file again, and writes from these tables. UNLOGGED:
# no WAL for rows that live minutes; a crash of the database empties them, which the job
# notices (the rows no longer add up to the plan's) and then reads the file as before. No
# foreign key: a check per row would cost the plan a lookup per row; the rows are deleted with
# the upload (`services.restores.uploads`).
# PostgreSQL only: on SQLite a file's batches are sorted in Python, from the file, each time.
CREATE = """
CREATE UNLOGGED TABLE restore_staged_rows (
    restore_id uuid NOT NULL,
    object_type_id uuid NOT NULL,
    row_number bigint NOT NULL,
    record_id uuid NOT NULL,
    "values" text[] NOT NULL,
    PRIMARY KEY (restore_id, object_type_id, row_number)
);
CREATE UNLOGGED TABLE restore_staged_batches (
    restore_id uuid NOT NULL,
    object_type_id uuid NOT NULL,
    first_row bigint NOT NULL,
    unchanged integer NOT NULL,
    PRIMARY KEY (restore_id, object_type_id, first_row)
)
"""
DROP = "DROP TABLE IF EXISTS restore_staged_rows; DROP TABLE IF EXISTS restore_staged_batches"


async def _on_postgres(schema_editor: BaseSchemaEditor, sql: str) -> None:
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(sql)


async def create_tables(apps: object, schema_editor: BaseSchemaEditor) -> None:
    await _on_postgres(schema_editor, CREATE)


async def drop_tables(apps: object, schema_editor: BaseSchemaEditor) -> None:
    await _on_postgres(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [("crm", "0019_live_records_by_type_in_id_order")]

    initial = False

    operations = [
        ops.RunPython(create_tables, reverse_code=drop_tables),
    ]
