"""A page of live records filtered by property values, on PostgreSQL, in a shape that keeps a
common value and a rare one both fast.

The page is `ORDER BY id LIMIT n` under a containment test (`properties @> $1`). PostgreSQL
cannot tell how many records hold a value (it keeps no statistics inside jsonb), so it guesses
the same for every value and walks the primary key in order, testing each row. That is right
for a common value (a sixth of the contacts hold the commonest lifecycle stage: a page is a
few hundred rows away) and ruinous for a rare one (one email: the walk read 780,000 rows, 1.3 s,
at a million records). The other plan, the index of live records' properties (migration 0013)
then a sort of every match, is the reverse: instant for one email, 1.3 s for 50,000 customers.

So the page walks a bounded window of the type's rows in id order first, which finds a page of
any value held by more than about one record in WINDOW / page size; only when the window falls
short is the page asked of the properties' index, whose matches are then few enough to sort (or
at most the matches of a value rarer than that). The index query fences its containment test
(`OFFSET 0`) so that the planner scans the properties' index alone: left to itself it intersects
it with the index of the type's ids, a bitmap of every record of the type (150 ms at a million).
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise import connections

# Rows of the type the first query walks before it gives up on the id order.
WINDOW = 1_000

COLUMNS = "id, created_at, updated_at, deleted_at, properties"

_WALKED = f"""
    SELECT {COLUMNS} FROM (
        SELECT {COLUMNS} FROM records WHERE {{where}} ORDER BY id LIMIT {WINDOW}
    ) AS walked
    WHERE properties @> $1 ORDER BY id LIMIT {{limit}}
"""
_INDEXED = f"""
    SELECT {COLUMNS} FROM (
        SELECT {COLUMNS}, account_id, object_type_id FROM records
        WHERE deleted_at IS NULL AND properties @> $1 OFFSET 0
    ) AS matching
    WHERE {{where}} ORDER BY id LIMIT {{limit}}
"""


async def page_rows(
    account_id: UUID,
    object_type_id: UUID,
    equals: dict[str, str],
    limit: int,
    after: UUID | None,
    *,
    ids: Sequence[UUID] | None,
    updated_since: datetime | None,
) -> list[dict[str, Any]]:
    """Up to `limit` live records of the type holding every value of `equals`, after `after`
    and within the other filters, in id order, as rows of COLUMNS."""
    arguments: list[Any] = [json.dumps(equals), account_id, object_type_id]
    where = ["account_id = $2", "object_type_id = $3", "deleted_at IS NULL"]
    for condition, argument in (
        ("id > ${}", after),
        ("id = ANY(${}::uuid[])", None if ids is None else list(ids)),
        ("updated_at >= ${}", updated_since),
    ):
        if argument is not None:
            arguments.append(argument)
            where.append(condition.format(len(arguments)))
    walked, indexed = statements(" AND ".join(where), limit)
    client = connections.get("default")
    async with client.acquire_connection() as connection:
        rows = await connection.fetch(walked, *arguments)
        if len(rows) < limit:
            rows = await connection.fetch(indexed, *arguments)
    return [{**row, "properties": json.loads(row["properties"])} for row in rows]


def statements(where: str, limit: int) -> tuple[str, str]:
    """The window's query, then the index's, for rows passing `where` (SQL over `records`'
    columns; $1 the values as JSON), at most `limit` of them. Run the second when the first
    answers fewer than `limit`."""
    return _WALKED.format(where=where, limit=limit), _INDEXED.format(where=where, limit=limit)
