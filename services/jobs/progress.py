"""Live progress of a background job (backup, restore, import), on the channel of its row."""

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from services import events

# Every job ends in one of these (a backup may later become EXPIRED). A restore's row lives
# through two jobs: PLANNED is a pause before it is started, not an end; PLAN_FAILED is one,
# and so is PLAN_DISCARDED, a plan put aside unstarted.
FINISHED = frozenset({"SUCCEEDED", "FAILED", "EXPIRED", "PLAN_FAILED", "PLAN_DISCARDED"})


@dataclass(frozen=True)
class JobEvent:
    job_id: str
    status: str
    object_type: str | None = None
    rows_done: int | None = None
    rows_total: int | None = None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "JobEvent":
        return cls(**message)


def channel(job_id: UUID) -> str:
    return f"jobs:{job_id}"


async def publish(job_id: UUID, event: JobEvent) -> None:
    await events.announce(channel(job_id), asdict(event))


def subscribe(job_id: UUID) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
    return events.bus().subscribe(channel(job_id))


async def watch(
    job_id: UUID, state_now: Callable[[], Awaitable[JobEvent]]
) -> AsyncGenerator[JobEvent, None]:
    """A job's state now, then each change, until it finishes."""
    # Subscribe before reading the state, or a finish in between would never be seen.
    async with subscribe(job_id) as messages:
        current = await state_now()
        yield current
        if current.status in FINISHED:
            return
        async for message in messages:
            event = JobEvent.from_message(message)
            yield event
            if event.status in FINISHED:
                return
