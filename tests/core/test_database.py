"""Transactions that a cancelled task cannot leave half-open. (With Tortoise's own
`in_transaction`, the SQLite run of this test times out, and every later query waits.) And
PostgreSQL connections that go back to the pool without a reset statement, rolled back, and
that never compile a statement."""

import pytest
from tortoise import connections

from models.accounts import Account
from services.core import database
from tests.support.tenants import Tenant
from tests.support.transactions import cancel_at_each_step


async def test_a_transaction_cancelled_while_it_begins_leaves_the_database_usable(
    tenant: Tenant,
) -> None:
    await cancel_at_each_step(database.transaction, tenant)


async def test_a_pooled_connection_goes_back_rolled_back_without_a_reset_statement(
    db_kind: str, tenant: Tenant
) -> None:
    if db_kind != "postgres":
        pytest.skip("asyncpg's pool: PostgreSQL only")
    async with connections.get("default").acquire_connection() as connection:
        # No `RESET ALL` and the like, waited for as each connection goes back.
        assert connection.get_reset_query() == ""
        await connection.execute("BEGIN")
        await connection.execute(
            "UPDATE accounts SET name = 'Left open' WHERE id = $1", tenant.account.id
        )
    # Taken back with its transaction open: rolled back, not committed by its next user.
    assert (await Account.get(id=tenant.account.id)).name != "Left open"


async def test_pooled_connections_never_compile_a_statement(db_kind: str, tenant: Tenant) -> None:
    if db_kind != "postgres":
        pytest.skip("JIT compilation: PostgreSQL only")
    pool = connections.get("default")
    async with pool.acquire_connection() as connection, connection.transaction():
        # Any statement would be compiled, were compiling on.
        await connection.execute("SET LOCAL jit_above_cost = 0")
        plan = await connection.fetch("EXPLAIN (ANALYZE) SELECT count(*) FROM records")
    assert not any("JIT" in line for (line,) in plan)
