"""The records a comparison found differing, stored a batch at a time in one statement (the
rows as one JSON document: `services.core.json_rows`), for its CSV and for a restore limited
to them: Python builds no model object per record."""

from collections.abc import Sequence
from uuid import UUID

from tortoise import connections

from models.comparisons import RecordChange
from models.ids import new_ids_text
from services.core.json_rows import compact_json, placeholder, rows_table

# A differing record: its id, what changed, and the properties whose values differ (CHANGED).
Found = tuple[str, RecordChange, list[str]]

COLUMNS = [("id", "uuid"), ("record_id", "uuid"), ("change", "text"), ("properties", "jsonb")]


async def store(comparison_id: UUID, object_type: str, found: Sequence[Found]) -> None:
    if not found:
        return
    connection = connections.get("default")
    document = [
        {"id": row_id, "record_id": record_id, "change": change.value, "properties": properties}
        for row_id, (record_id, change, properties) in zip(
            new_ids_text(len(found)), found, strict=True
        )
    ]
    p = [placeholder(connection, n) for n in (2, 3)]
    await connection.execute_query(
        f"""INSERT INTO compared_records
                (id, comparison_id, object_type, record_id, change, properties)
            SELECT v.id, {p[0]}, {p[1]}, v.record_id, v.change, v.properties
            FROM {rows_table(connection, COLUMNS)}""",
        [compact_json(document), str(comparison_id), object_type],
    )
