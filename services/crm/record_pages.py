"""Pages of live records of one type on PostgreSQL, read by their own SQL on the raw
connection: a page is the service's most frequent read, and Tortoise's building of the query
and of its rows cost more than the database's answer (a page of 50 contacts: 1.08 ms of CPU
against 0.51 ms).

A page filtered by property values (`properties @> $1`) must keep a common value and a rare
one both fast. PostgreSQL cannot tell well how many records hold a value (it keeps no
statistics inside jsonb), so its choice between the two plans may go either way, and each is
ruinous for the other kind of value: walking the primary key in order, testing each row, is
right for a common value (a sixth of the contacts hold the commonest lifecycle stage: a page is
a few hundred rows away) and read 780,000 rows (1.3 s) for one email at a million records; the
index of live records' properties (migration 0013) then a sort of every match is instant for
one email and took 1.3 s for 50,000 customers. Asking the properties' index first for a bounded
number of matches does not make it right for both: it builds the bitmap of every match before it
returns one (12 ms for the 68,000 customers).

So one statement reads either way, chosen per value by the shares of values the service samples
for each type (`services.crm.value_shares`, as ANALYZE samples columns), in the statement
itself. A value held by at least one record in 2 x WINDOW / page size (one in 40 for a page of
50) walks a window of at most WINDOW of the type's records in id order, which finds a page of
it; only when the window falls short (the value's records cluster elsewhere) does it ask the
properties' index, whose matches are then few enough to sort. A rarer value asks the index
first (at a million records one email's page read 0.65 to 1.05 ms of SQL, 2.4 to 2.6 before),
for at most PROBED matches of the type: fewer, and they are every match, sorted for the page;
that many, and the sample was stale (the value has become common since), so the page walks as
for a common value. A stale sample costs a bitmap of the matches (the bound above: 23 ms for
the customers at a million records, where sorting them all took 263 to 287 ms), never rows:
every way answers the same page. A type never sampled, or sampled when it had fewer records
than a window, walks first, as every type did before samples. The index's two reads fence
their containment test (`OFFSET 0`) so that the planner scans the properties' index alone: left
to itself it intersects it with the index of the type's records, a bitmap of every record of the
type (150 ms at a million); each read runs only when the sample's verdict, the probe's count and
the window's count say so (one-time filters), in the same round trip.

The window walks the index of live records by account, type and id (migration 0019), its rows
bounded as rows of that index, `(account_id, object_type_id, id) > ($2, $3, $4)` and
`(account_id, object_type_id) <= ($2, $3)`, and ordered by its columns: under equalities of the
account and type the planner reduced the order to the id and walked the primary key, reading
three rows of other types for each contact (the customers' window ran 1.1 ms, now 0.4 ms).
A range of the type (`object_type_id BETWEEN $3 AND $3`) made the index the only order too,
but the cursor's id after a range could not position the scan; in a row bound it does.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from tortoise import connections

from services.crm import value_shares


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A record as a page lists it: its columns as the database returns them, without the
    model object (building one per record costs more than reading its row)."""

    id: UUID
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    properties: dict[str, str]

    @property
    def pk(self) -> UUID:
        return self.id


ROW_FIELDS = tuple(column.name for column in fields(RecordRow))

# Rows of the type the walk reads before it gives up on the id order: a value held by one
# record in 20 or more fills a page of 50 in it (half of the time for one in 20). A smaller
# window would send the contacts' job titles (one in 20 each) to the index: 14,700 matches
# fetched and sorted, 55 to 190 ms a page. A value rarer than a window's reach skips it once
# its type is sampled.
WINDOW = 1_000
# Matches of a value its type's sample calls rare read from the properties' index before they
# are sorted: when the index holds this many of the type, the sample was stale (the value has
# become common since) and the page walks instead, as for a common value. Without this bound,
# customers called rare by a stale sample had 68,000 matches sorted: 312 ms for a page.
PROBED = WINDOW

COLUMNS = ", ".join(ROW_FIELDS)
# A filtered page's arguments: $1 the values as JSON, $2 the account, $3 the object type, $4
# the id the page starts after (BEFORE_ANY_ID for the first page), each read through a subquery
# of its own (an InitPlan, run once); the filters' from $5. Values the planner cannot see: a
# plan made for the values given then costs what the generic plan does, and after five runs
# PostgreSQL keeps the generic plan rather than planning every run again (0.5 to 1 ms, more than
# the page's answer). With the values in sight it estimated one email's plan cheaper than the
# generic one, and planned every lookup of an email anew.
_VALUES = "(SELECT $1::jsonb)"
_ACCOUNT = "(SELECT $2::uuid)"
_TYPE = "(SELECT $3::uuid)"
_AFTER = "(SELECT $4::uuid)"
_OF_THE_TYPE = f"account_id = {_ACCOUNT} AND object_type_id = {_TYPE} AND id > {_AFTER}"
_LIVE = "deleted_at IS NULL"
# Lower than any id: where a first page starts.
BEFORE_ANY_ID = UUID(int=0)
# The same rows as _OF_THE_TYPE's, bounded as rows of the index of live records by account,
# type and id (migration 0019), in its order: no equality the planner could reduce the order
# to the id by, so that it cannot walk the primary key instead, and the cursor positions the
# scan.
_WALKED = (
    f"(account_id, object_type_id, id) > ({_ACCOUNT}, {_TYPE}, {_AFTER}) "
    f"AND (account_id, object_type_id) <= ({_ACCOUNT}, {_TYPE})"
)
_WALK_ORDER = "account_id, object_type_id, id"

# Whether the type's sample (services.crm.value_shares) calls the values rare ($1 the values,
# $3 the type): one of them is rarer than a window could fill half a page with. A type never
# sampled, or sampled under a window's worth of records, walks first, as every type did before
# it had samples.
_RARE = f"""
    SELECT coalesce(min(coalesce((
        SELECT share FROM {value_shares.SHARES} AS shares WHERE shares.object_type_id = {_TYPE}
        AND shares.name = wanted.name AND shares.value = wanted.value
    ), 0)) < {{rare_below}}, false) AS rare
    FROM {value_shares.SAMPLES} AS sample
    CROSS JOIN jsonb_each_text({_VALUES}) AS wanted (name, value)
    WHERE sample.object_type_id = {_TYPE} AND sample.records >= {WINDOW}
"""
# The live records holding the values, by the properties' index alone (fenced by OFFSET 0, see
# the module's docstring); their rows of the type are filtered after it.
_MATCHING = f"""(
    SELECT {COLUMNS}, account_id, object_type_id FROM records
    WHERE {_LIVE} AND properties @> {_VALUES} OFFSET 0
) AS matching"""
_PAGE = f"""
    WITH sampled AS ({_RARE}), probed AS (
        SELECT {COLUMNS} FROM {_MATCHING}
        WHERE (SELECT rare FROM sampled) AND {{match}} LIMIT {PROBED}
    ), chosen AS (
        SELECT (SELECT rare FROM sampled) AND (SELECT count(*) FROM probed) < {PROBED} AS by_index
    ), walked AS (
        SELECT {COLUMNS} FROM (
            SELECT {COLUMNS}, account_id, object_type_id FROM records WHERE {{walk}}
            ORDER BY {_WALK_ORDER} LIMIT {WINDOW}
        ) AS walked_rows
        WHERE properties @> {_VALUES} ORDER BY {_WALK_ORDER} LIMIT {{limit}}
    )
    SELECT {COLUMNS} FROM (
        (
            SELECT {COLUMNS} FROM probed WHERE (SELECT by_index FROM chosen)
            ORDER BY id LIMIT {{limit}}
        )
        UNION ALL
        SELECT {COLUMNS} FROM walked
        WHERE NOT (SELECT by_index FROM chosen) AND (SELECT count(*) FROM walked) = {{limit}}
        UNION ALL (
            SELECT {COLUMNS} FROM {_MATCHING}
            WHERE NOT (SELECT by_index FROM chosen) AND (SELECT count(*) FROM walked) < {{limit}}
            AND {{match}}
            ORDER BY id LIMIT {{limit}}
        )
    ) AS page ORDER BY id
"""
# An unfiltered page's: $1 the account, $2 the type's name; the filters' from $3.
_TYPE_PAGE = f"""
    SELECT {COLUMNS} FROM records
    WHERE account_id = $1 AND {_LIVE}
    AND object_type_id = (SELECT id FROM object_types WHERE account_id = $1 AND name = $2)
    {{conditions}} ORDER BY id LIMIT {{limit}}
"""


async def type_page_rows(
    account_id: UUID,
    object_type_name: str,
    limit: int,
    after: UUID | None,
    *,
    ids: Sequence[UUID] | None,
    updated_since: datetime | None,
) -> list[RecordRow]:
    """Up to `limit` live records of the type named, after `after` and within the filters, in
    id order; none for a type the account does not have."""
    arguments: list[Any] = [account_id, object_type_name]
    conditions = _conditions(arguments, after, ids, updated_since)
    extra = "".join(f" AND {condition}" for condition in conditions)
    return await _rows(_TYPE_PAGE.format(conditions=extra, limit=limit), arguments)


async def page_rows(
    account_id: UUID,
    object_type_id: UUID,
    equals: dict[str, str],
    limit: int,
    after: UUID | None,
    *,
    ids: Sequence[UUID] | None,
    updated_since: datetime | None,
) -> list[RecordRow]:
    """Up to `limit` live records of the type holding every value of `equals`, after `after`
    and within the other filters, in id order."""
    values = orjson.dumps(equals).decode()
    arguments: list[Any] = [values, account_id, object_type_id, after or BEFORE_ANY_ID]
    conditions = _conditions(arguments, None, ids, updated_since)
    return await _rows(statement(conditions, limit), arguments)


def statement(conditions: Sequence[str], limit: int) -> str:
    """The filtered page's one statement: at most `limit` live rows of the type ($2, $3)
    after the id $4 holding the values ($1, JSON) and passing `conditions` (SQL over
    `records`' columns, arguments from $5), oldest first."""
    walk = " AND ".join([_WALKED, _LIVE, *conditions])
    match = " AND ".join([_OF_THE_TYPE, *conditions])
    return _PAGE.format(walk=walk, match=match, limit=limit, rare_below=limit / (2 * WINDOW))


def _conditions(
    arguments: list[Any],
    after: UUID | None,
    ids: Sequence[UUID] | None,
    updated_since: datetime | None,
) -> list[str]:
    """The conditions of the filters given, their arguments appended to `arguments`."""
    conditions = []
    for condition, argument in (
        ("id > ${}", after),
        ("id = ANY(${}::uuid[])", None if ids is None else list(ids)),
        ("updated_at >= ${}", updated_since),
    ):
        if argument is not None:
            arguments.append(argument)
            conditions.append(condition.format(len(arguments)))
    return conditions


async def _rows(sql: str, arguments: Sequence[Any]) -> list[RecordRow]:
    async with connections.get("default").acquire_connection() as connection:
        rows = await connection.fetch(sql, *arguments)
    # By position, in COLUMNS' order: no mapping is built per row.
    return [RecordRow(row[0], row[1], row[2], row[3], orjson.loads(row[4])) for row in rows]
