"""How common each value of an object type's properties is among its live records, from a
sample of them (PostgreSQL; the tables `property_value_samples` and `property_value_shares`,
migration 0021), for a filtered page to choose how to read (`services.crm.record_pages`).

PostgreSQL keeps no statistics inside jsonb, so it cannot tell one email from the commonest
lifecycle stage. The service keeps its own, as PostgreSQL's ANALYZE does for columns: up to
SAMPLE_ROWS live records of the type drawn at random, and every value at least one of them in
SMALLEST_SHARE holds, with its share of the sample. A type is sampled by the scheduler's pass
when it never was (or its sample was forgotten: after a restore or an import rewrote its
values) and again every RESAMPLE_AFTER; a pass claims a type by a compare-and-set on its
sample's row, so that several schedulers sample each type once.

A share is a guess, and only ever chooses between two ways to read the same rows: a value
missing from a stale sample costs a page its speed, never its rows.
"""

import time
from datetime import datetime, timedelta
from uuid import UUID

from tortoise import connections

from services.core import database
from services.core.clock import now

SAMPLES = "property_value_samples"
SHARES = "property_value_shares"

# Records drawn from a type: a value held by one record in 40 (the share below which a page of
# 50 goes to the index) is drawn about 250 times, so the sample tells it from one in 100.
SAMPLE_ROWS = 10_000
# Values rarer than this are not kept: no page walks for them. The smallest page reads two rows
# (one, and one that tells whether more follow) and walks for a value held by one record in a
# window's worth of records (record_pages.WINDOW, 1,000) or more.
SMALLEST_SHARE = 1 / 1_000
RESAMPLE_AFTER = timedelta(hours=1)
# How long one pass of the scheduler (every 30 s by default) goes on sampling due types. A type
# costs about what its records do: the eight types of an account of a million records took
# 2.0 s in all, and a type of a few hundred a few milliseconds. Counting types instead (20 a
# pass) left the hourly resampling behind beyond about 300 accounts, most of whose types are
# small.
PASS_BUDGET = timedelta(seconds=5)
# Due types read at a time.
DUE_BATCH = 50

# The type's row claimed for this sample: a type never sampled, or sampled before $2.
_CLAIM = f"""
    INSERT INTO {SAMPLES} AS sample (object_type_id, records, sampled_at) VALUES ($1, 0, $3)
    ON CONFLICT (object_type_id) DO UPDATE SET sampled_at = $3 WHERE sample.sampled_at < $2
    RETURNING object_type_id
"""
# The type's live records ($1), through the indexes that lead with the account.
_LIVE = (
    "account_id = (SELECT account_id FROM object_types WHERE id = $1) "
    "AND object_type_id = $1 AND deleted_at IS NULL"
)
# $1 the type, $2 the rows to draw. Drawn among the ids of the type's index of live records,
# then read by the primary key: the type's records are never all read.
_SHARES = f"""
    WITH drawn AS (
        SELECT properties FROM records WHERE id IN (
            SELECT id FROM records WHERE {_LIVE} ORDER BY random() LIMIT $2
        )
    ), sampled AS (SELECT count(*) AS rows FROM drawn)
    INSERT INTO {SHARES} (object_type_id, name, value, share)
    SELECT $1, pair.key, pair.value, count(*)::real / (SELECT rows FROM sampled)
    FROM drawn, jsonb_each_text(drawn.properties) AS pair
    GROUP BY pair.key, pair.value
    HAVING count(*) >= {SMALLEST_SHARE} * (SELECT rows FROM sampled)
"""
_DUE = f"""
    SELECT object_types.id FROM object_types
    LEFT JOIN {SAMPLES} AS sample ON sample.object_type_id = object_types.id
    WHERE sample.sampled_at IS NULL OR sample.sampled_at < $1
    ORDER BY sample.sampled_at NULLS FIRST LIMIT {DUE_BATCH}
"""


async def sample_due_types(at: datetime | None = None, budget: timedelta = PASS_BUDGET) -> int:
    """Samples the types never sampled, then those sampled longest ago, until none is due or
    `budget` is spent (at least one: the scheduler's pass); returns how many it sampled."""
    if not database.on_postgres():
        return 0
    at = at or now()
    ends = time.monotonic() + budget.total_seconds()
    sampled = 0
    while due := await connections.get("default").execute_query_dict(_DUE, [at - RESAMPLE_AFTER]):
        for row in due:
            # Each is claimed as it is sampled, here or by another pass: none comes back.
            sampled += await sample_type(row["id"], at)
            if time.monotonic() >= ends:
                return sampled
    return sampled


async def sample_type(object_type_id: UUID, at: datetime | None = None) -> bool:
    """Samples the type's values unless another process sampled it since RESAMPLE_AFTER
    before `at`; returns whether it did."""
    at = at or now()
    async with database.transaction() as connection:
        claimed = await connection.execute_query_dict(
            _CLAIM, [object_type_id, at - RESAMPLE_AFTER, at]
        )
        if not claimed:
            return False
        await connection.execute_query(
            f"DELETE FROM {SHARES} WHERE object_type_id = $1", [object_type_id]
        )
        await connection.execute_query(_SHARES, [object_type_id, SAMPLE_ROWS])
        await connection.execute_query(
            f"UPDATE {SAMPLES} SET records = "
            f"(SELECT count(*) FROM records WHERE {_LIVE}) WHERE object_type_id = $1",
            [object_type_id],
        )
    return True


async def forget_samples(account_id: UUID) -> None:
    """Forgets the samples of the account's types, whose values a restore or an import has
    rewritten: they page as if never sampled until the scheduler's next pass samples them."""
    if not database.on_postgres():
        return
    await connections.get("default").execute_query(
        f"DELETE FROM {SAMPLES} WHERE object_type_id IN "
        "(SELECT id FROM object_types WHERE account_id = $1)",
        [account_id],
    )
