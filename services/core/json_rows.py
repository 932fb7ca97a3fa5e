"""Set-based writes on both databases: a batch's rows go in as one JSON document that the
statement reads as a table (`jsonb_to_recordset` on PostgreSQL, `json_each` on SQLite), so a
batch of any size is one round trip and one parameter, and Python builds no model object per
row."""

import json
from collections.abc import Sequence
from functools import partial

from tortoise.backends.base.client import BaseDBAsyncClient

from services.core.database import on_postgres

# A column of the rows' table: its name and its PostgreSQL type.
Column = tuple[str, str]

compact_json = partial(json.dumps, separators=(",", ":"))


def rows_table(connection: BaseDBAsyncClient, columns: Sequence[Column]) -> str:
    """The rows' table `v`, read from the JSON document in the statement's first parameter."""
    if on_postgres(connection):
        typed = ", ".join(f"{name} {kind}" for name, kind in columns)
        return f"jsonb_to_recordset($1::text::jsonb) AS v({typed})"
    picked = ", ".join(f"value ->> '{name}' AS {name}" for name, _ in columns)
    return f"(SELECT {picked} FROM json_each(?1)) AS v"


def placeholder(connection: BaseDBAsyncClient, n: int) -> str:
    return f"${n}" if on_postgres(connection) else f"?{n}"
