"""The sampled shares of a type's property values (PostgreSQL), read and overwritten."""

from uuid import UUID

from tortoise import connections

from services.crm import value_shares

Shares = dict[tuple[str, str], float]


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
