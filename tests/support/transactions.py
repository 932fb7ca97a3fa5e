"""Transactions cancelled at every step of their beginning."""

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from models.accounts import Account
from tests.support.tenants import Tenant

# Enough event-loop steps for a cancellation to land at every await of beginning a transaction.
STEPS = 40


async def cancel_at_each_step(
    transaction: Callable[[], contextlib.AbstractAsyncContextManager[Any]], tenant: Tenant
) -> None:
    """Cancel a task that opens a transaction after 0, 1, 2, ... loop steps; after each, the
    database must still answer."""

    async def hold() -> None:
        async with transaction():
            await asyncio.sleep(3600)

    for steps in range(STEPS):
        task = asyncio.create_task(hold())
        for _ in range(steps):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with asyncio.timeout(5):
            assert await Account.filter(id=tenant.account.id).exists()
