"""Bounded waits for state that no event announces (a row, a Redis subscription)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

INTERVAL_SECONDS = 0.05


async def poll_until(check: Callable[[], Awaitable[T | None]], seconds: float) -> T:
    """The first result of `check` that is not None; TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        # Polling is the point: these states are not announced to anyone.
        while (result := await check()) is None:  # noqa: ASYNC110
            await asyncio.sleep(INTERVAL_SECONDS)
        return result
