"""Transactions that a cancelled task cannot leave half-open. (With Tortoise's own
`in_transaction`, the SQLite run of this test times out, and every later query waits.)"""

from services.core import database
from tests.support.tenants import Tenant
from tests.support.transactions import cancel_at_each_step


async def test_a_transaction_cancelled_while_it_begins_leaves_the_database_usable(
    tenant: Tenant,
) -> None:
    await cancel_at_each_step(database.transaction, tenant)
