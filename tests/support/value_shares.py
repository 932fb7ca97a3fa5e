"""The sampled shares of a type's property values (PostgreSQL), read and overwritten."""

from datetime import datetime, timedelta
from uuid import UUID

from tortoise import connections

from services.core.clock import now
from services.crm import value_shares

Shares = dict[tuple[str, str], float]


def past_any_pass() -> datetime:
    """A time at which a sample is due whatever the scheduler's pass (which runs in the tests'
    server) sampled meanwhile; a sample taken then is not due again for the pass."""
    return now() + value_shares.RESAMPLE_AFTER + timedelta(minutes=1)


async def sample(object_type_id: UUID) -> datetime:
    """The type sampled now, whatever the scheduler's pass did; returns the time it counts as
    sampled at."""
    at = past_any_pass()
    assert await value_shares.sample_type(object_type_id, at)
    return at


async def shares_of(object_type_id: UUID) -> Shares:
    rows = await connections.get("default").execute_query_dict(
        f"SELECT name, value, share FROM {value_shares.SHARES} WHERE object_type_id = $1",
        [object_type_id],
    )
    return {(row["name"], row["value"]): row["share"] for row in rows}


async def replace_shares(object_type_id: UUID, shares: Shares) -> None:
    """The type's sampled shares replaced by `shares`: a sample gone stale."""
    client = connections.get("default")
    await client.execute_query(
        f"DELETE FROM {value_shares.SHARES} WHERE object_type_id = $1", [object_type_id]
    )
    for (name, value), share in shares.items():
        await client.execute_query(
            f"INSERT INTO {value_shares.SHARES} (object_type_id, name, value, share) "
            "VALUES ($1, $2, $3, $4)",
            [object_type_id, name, value, share],
        )
