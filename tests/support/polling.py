"""Bounded waits for state that no event announces (a row, a Redis subscription, a
subscriber of the event bus)."""

import asyncio
from collections.abc import Awaitable, Callable, Collection
from typing import TypeVar
from uuid import UUID

from tortoise.models import Model

from services import events

T = TypeVar("T")
M = TypeVar("M", bound=Model)

INTERVAL_SECONDS = 0.05
# A subscriber registers within a few loop steps: a short interval keeps those tests quick.
SUBSCRIBER_INTERVAL_SECONDS = 0.01
# Where every job ends (the Backup, Import and Restore statuses share these values).
FINISHED = ("SUCCEEDED", "FAILED")


async def poll_until(check: Callable[[], Awaitable[T | None]], seconds: float) -> T:
    """The first result of `check` that is not None; TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        # Polling is the point: these states are not announced to anyone.
        while (result := await check()) is None:  # noqa: ASYNC110
            await asyncio.sleep(INTERVAL_SECONDS)
        return result


async def until_finished(
    model: type[M], row_id: str | UUID, seconds: float, ends: Collection[str] = FINISHED
) -> M:
    """The job row (a Backup, Import or Restore) once its status is one of `ends`: SUCCEEDED
    or FAILED unless told."""

    async def finished() -> M | None:
        row = await model.get(id=row_id)
        return row if row.status in ends else None  # type: ignore[attr-defined]

    return await poll_until(finished, seconds)


async def until_listening(channel: str, listening: bool = True, seconds: float = 5.0) -> None:
    """Until this process's event bus has a subscriber on `channel` (or, with `listening`
    false, has none left). The bus delivers only to the subscribers present when a message is
    published, so a test waits for the server's before it makes something happen."""
    async with asyncio.timeout(seconds):
        while _has_subscribers(channel) != listening:  # noqa: ASYNC110
            await asyncio.sleep(SUBSCRIBER_INTERVAL_SECONDS)


def _has_subscribers(channel: str) -> bool:
    return bool(events.bus()._hub.has_subscribers(channel))  # type: ignore[attr-defined]
