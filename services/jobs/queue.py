"""Queueing background jobs without the domain knowing the queue.

A job row is written QUEUED, and its job is sent only once the transaction that wrote the row
has committed: a worker that took the message sooner would not find the row. The process that
owns the broker (the server, a worker) registers how to send each kind at start-up.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID

from tortoise.expressions import Q
from tortoise.models import Model

from services.core import database
from services.core.clock import now
from services.jobs.kinds import JobKind

log = logging.getLogger(__name__)

J = TypeVar("J", bound=Model)

# What sending returns (a broker's message) is of no use to the domain.
Sender = Callable[[UUID], object]

# A QUEUED job no worker took within this has lost its message (a broker restart): the sweep
# sends it again.
UNCLAIMED_FOR = timedelta(minutes=2)

_senders: dict[str, Sender] = {}


def register(kind: JobKind[Any], send: Sender) -> None:
    _senders[kind.actor_name] = send


async def enqueue(kind: JobKind[Any], row_id: UUID) -> bool:
    """Send the job for `row_id`; whether it went. Call only after the row's transaction has
    committed. The row is the truth: one whose job could not be sent (the broker is away or
    does not answer in time) stays QUEUED, due for the lost-job sweep's next pass."""
    try:
        send = _senders[kind.actor_name]
    except KeyError:
        raise RuntimeError(f"No queue is set up for the job {kind.actor_name!r}") from None
    try:
        # In a thread: the broker's client blocks, up to its timeout.
        await asyncio.to_thread(send, row_id)
    except Exception:
        log.warning(
            "Could not send %s %s; the lost-job sweep sends it", kind.actor_name, row_id,
            exc_info=True,
        )  # fmt: skip
        waiting = kind.model.filter(id=row_id, status=kind.statuses.waiting)
        await waiting.update(lease_expires_at=now())
        return False
    return True


class Queued(Generic[J]):
    """The rows of one kind queued in an open transaction."""

    def __init__(self, kind: JobKind[J], at: datetime) -> None:
        self.kind = kind
        self.row_ids: list[UUID] = []
        self._unclaimed_until = at + UNCLAIMED_FOR

    async def create(self, **columns: Any) -> J:
        """A new row, waiting for a worker."""
        row = await self.kind.model.create(
            status=self.kind.statuses.waiting, lease_expires_at=self._unclaimed_until, **columns
        )
        self.row_ids.append(row.pk)
        return row

    async def requeue(self, row_id: UUID, where: Q, **columns: Any) -> bool:
        """Queue a row that exists (a plan, a job that lost its worker) if it still matches
        `where`: a compare-and-set, so of several callers racing, one queues it."""
        taken = await self.kind.model.filter(where, id=row_id).update(
            status=self.kind.statuses.waiting, lease_expires_at=self._unclaimed_until, **columns
        )
        if taken:
            self.row_ids.append(row_id)
        return bool(taken)


@contextlib.asynccontextmanager
async def queueing(
    kind: JobKind[J],
    *,
    at: datetime | None = None,
    undo: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIterator[Queued[J]]:
    """A transaction that queues rows of `kind`; their jobs are sent once it has committed.
    A row waits for a worker from `at` (now). `undo` takes back what was done for the rows
    before the transaction (a file stored for them) if they are not committed."""
    queued = Queued(kind, at or now())
    try:
        async with database.transaction():
            yield queued
    except BaseException:
        if undo is not None:
            await undo()
        raise
    for row_id in queued.row_ids:
        await enqueue(kind, row_id)
