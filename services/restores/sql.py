"""SQL shared by the statements that compare a batch of a restore with the records, on
PostgreSQL (`count` counts, `apply` writes). The batch goes in column by column, one per
chosen property, so Python builds no object per record, and values are compared as text, one
property at a time. A column is one JSON array of strings, encoded by orjson and read back
with `jsonb_array_elements_text`: sent as a text[] the driver checked each value on its own in
Python (6 ms of the worker's time a batch of 1,000 rows and 20 columns, against 1.5 ms as
JSON). orjson encodes a column of 1,000 strings in 12 us where the standard library's encoder
took 110 to 150 us, which was a sixth of the worker's samples in an import's plan.

Parameters: $1 the object type, $2 and $3 the statement's own, $4 the record ids, the chosen
names one by one from $5, the values (a JSON array per name, "" where blank), a revert's
expected values (JSON; null for a restore), then the statement's own again from `after_batch`.
"""

from collections.abc import Sequence

import asyncpg
import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from models.ids import new_ids_text
from services.backups import CorruptBackup
from services.core.json_rows import compact_json
from services.restores.diff import Writing
from services.restores.source import Targets

NAMES_FROM = 5


def each(template: str, count: int, joiner: str = ", ") -> str:
    """`template` once per chosen property: {name} is its name parameter, {i} its position."""
    return joiner.join(template.format(name=f"${n + NAMES_FROM}::text", i=n) for n in range(count))


def after_batch(count: int) -> int:
    """The first parameter after the batch's."""
    return NAMES_FROM + 2 * count + 1


def batch_cte(count: int) -> str:
    """`batch`: (n, id, v0..., expected) in the batch's order, a blank value as null. ROWS FROM
    reads the columns side by side, in their order."""
    values = "".join(
        f", jsonb_array_elements_text(${NAMES_FROM + count + n}::jsonb)" for n in range(count)
    )
    expected = f"${NAMES_FROM + 2 * count}"
    return f"""batch AS (
            SELECT n, id::uuid AS id, {each("NULLIF(v{i}, '') AS v{i}", count)}, expected
            FROM ROWS FROM (jsonb_array_elements_text($4::jsonb){values},
                            unnest({expected}::jsonb[]))
                WITH ORDINALITY AS t(id, {each("v{i}", count)}, expected, n)
        )"""


def differs(count: int) -> str:
    """Whether a row's current values b0... differ from its targets v0..."""
    return f"({each('b{i} IS DISTINCT FROM v{i}', count, ' OR ')})"


def current(count: int) -> str:
    """The object of the set values among b0... (a record's), to compare with a revert's
    expected values."""
    return f"jsonb_strip_nulls(jsonb_build_object({each('{name}, b{i}', count)}))"


def batch_arguments(names: list[str], batch: Targets) -> list[object]:
    """$4 to the last of the batch's parameters."""
    return [
        _column(batch.record_ids),
        *names,
        *(_column(batch.columns[name]) for name in names),
        None if batch.expected is None else [compact_json(expected) for expected in batch.expected],
    ]


def _column(values: Sequence[str]) -> str:
    """Strings as they are (a value's non-ASCII characters unescaped: fewer bytes to send and
    parse), as text: the driver's jsonb codec takes no bytes."""
    return orjson.dumps(values).decode()


def written_arguments(writing: Writing, batch: Targets) -> list[object]:
    """A write's parameters: $1 the object type, $2 the restore, $3 the batch's number, the
    batch's, then the chosen names as an array and a new id per row (for the saved changes)."""
    return [
        writing.object_type_id,
        writing.restore_id,
        writing.number,
        *batch_arguments(writing.names, batch),
        writing.names,
        new_ids_text(len(batch)),
    ]


def property_counts(count: int) -> str:
    """Per chosen property, in order: values to set, to clear, and unchanged, from each
    record's `b{i}` and the batch's `v{i}` (null where blank)."""
    return each(
        "count(*) FILTER (WHERE b{i} IS DISTINCT FROM v{i} AND v{i} IS NOT NULL), "
        "count(*) FILTER (WHERE b{i} IS DISTINCT FROM v{i} AND v{i} IS NULL), "
        "count(*) FILTER (WHERE b{i} IS NOT DISTINCT FROM v{i})",
        count,
    )


async def batch_row(
    client: BaseDBAsyncClient, statement: str, *arguments: object
) -> asyncpg.Record:
    """The one row a batch's statement answers, on the client's connection (in its
    transaction, if any). A batch value the database cannot take (a record id that is no UUID)
    comes from a damaged file: refused as such, and not retried."""
    try:
        async with client.acquire_connection() as raw:
            return await raw.fetchrow(statement, *arguments)
    except asyncpg.DataError as error:
        raise CorruptBackup(f"The backup holds a malformed value: {error}") from error
