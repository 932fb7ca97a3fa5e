"""Claiming job rows (backups, restores, imports) for a worker.

Delivery is at least once, so every step is a compare-and-set on the row: a duplicate message
finds the job claimed and does nothing, a worker that died loses its lease and the job is taken
again, and a worker that lost its claim cannot finish the job. Job models share the columns
`status` (QUEUED, RUNNING, ...), `attempts` and `lease_expires_at`.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Generic, TypeVar
from uuid import UUID

from tortoise.expressions import F, Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from services.core import environment
from services.core.clock import now
from services.jobs.kinds import JobKind
from services.jobs.progress import JobEvent, publish
from services.jobs.queue import UNCLAIMED_FOR

log = logging.getLogger(__name__)

J = TypeVar("J", bound=Model)

# A running job renews its lease (`Environment.job_lease`) this many times per lease, so a
# slow renewal or two never lets it lapse while the worker lives.
RENEWALS_PER_LEASE = 6
PROGRESS_EVERY_SECONDS = 0.5


def _lease() -> timedelta:
    return environment.current().job_lease


class LostClaim(Exception):
    """Another worker took the job over (this one was presumed dead)."""


class Claim(Generic[J]):
    """This worker's hold on a RUNNING job row, identified by its attempt number."""

    def __init__(self, kind: JobKind[J], row: J) -> None:
        self.kind = kind
        self.row = row
        self._renewed = time.monotonic()
        self._lost = False
        # Each object type's latest progress: rows done, the quarter logged and when it was
        # last told (a backup's types go in parallel, and each is a line of its own to a client).
        self._rows_done: dict[str, int] = {}
        self._quarters: dict[str, int] = {}
        self._published: dict[str, float] = {}

    @property
    def attempt(self) -> int:
        return int(self.row.attempts)  # type: ignore[attr-defined]

    def mine(self) -> QuerySet[J]:
        """The row, as long as this worker still holds it."""
        running = self.kind.statuses.running
        return self.kind.model.filter(id=self.row.pk, status=running, attempts=self.attempt)

    async def keep_alive(self) -> None:
        """Renew the lease when due; raises LostClaim if the job was taken over."""
        if self._lost:
            raise LostClaim(str(self.row.pk))
        if time.monotonic() - self._renewed < _lease().total_seconds() / RENEWALS_PER_LEASE:
            return
        if not await self._renew():
            raise LostClaim(str(self.row.pk))

    async def _renew(self) -> bool:
        clock = time.monotonic()
        if not await self.mine().update(lease_expires_at=now() + _lease()):
            self._lost = True
            return False
        self._renewed = clock
        return True

    @contextlib.asynccontextmanager
    async def renewing(self) -> AsyncIterator[None]:
        """Keep the lease in the background while the body runs: a step that reports no
        progress (a query warming up, verifying a file, uploading it) may outlast the lease,
        and a lapsed lease would hand a live job to another worker."""
        renewer = asyncio.create_task(self._renew_until_lost())
        try:
            yield
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer

    async def _renew_until_lost(self) -> None:
        every = _lease().total_seconds() / RENEWALS_PER_LEASE
        while not self._lost:
            await asyncio.sleep(every)
            try:
                await self._renew()
            except Exception:
                # A database hiccup: the lease has room for a few missed renewals.
                log.warning("Could not renew the lease of job %s", self.row.pk, exc_info=True)

    @property
    def rows(self) -> int:
        """The rows the job has been through, as its progress last said (a resumed job's
        earlier ones included)."""
        return sum(self._rows_done.values())

    async def progress(self, object_type: str, rows_done: int, rows_total: int) -> None:
        """Keep the lease, log each quarter of an object type's rows, and tell subscribers of
        each type at most every PROGRESS_EVERY_SECONDS, and when it is done."""
        await self.keep_alive()
        self._rows_done[object_type] = rows_done
        self._log_milestone(object_type, rows_done, rows_total)
        clock = time.monotonic()
        last = self._published.get(object_type, -PROGRESS_EVERY_SECONDS)
        if clock - last >= PROGRESS_EVERY_SECONDS or rows_done == rows_total:
            self._published[object_type] = clock
            event = JobEvent(
                str(self.row.pk), self.kind.statuses.running, object_type, rows_done, rows_total
            )
            await publish(self.row.pk, event)

    def _log_milestone(self, object_type: str, rows_done: int, rows_total: int) -> None:
        quarter = 4 * rows_done // rows_total if rows_total else 4
        if quarter > self._quarters.get(object_type, 0):
            self._quarters[object_type] = quarter
            log.info(
                "%s %s: %s %d %% (%d of %d rows)",
                self.kind.actor_name, self.row.pk, object_type, 25 * quarter, rows_done, rows_total,
            )  # fmt: skip


async def claim(kind: JobKind[J], row_id: UUID) -> Claim[J] | None:
    """Take a waiting job, or a running one whose worker died; None if there is nothing to do."""
    at = now()
    statuses = kind.statuses
    claimable = Q(status=statuses.waiting) | Q(status=statuses.running, lease_expires_at__lt=at)
    taken = await kind.model.filter(claimable, id=row_id).update(
        status=statuses.running,
        started_at=at,
        lease_expires_at=at + _lease(),
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    return Claim(kind, await kind.model.get(id=row_id))


async def release_for_retry(held: Claim[J], reason: str, code: str) -> bool:
    """Put the job back in the queue, for the broker's retry after its back-off, saying why
    the attempt failed; False if another worker had taken it over."""
    released = await held.mine().update(
        status=held.kind.statuses.waiting,
        failure_reason=reason,
        failure_code=code,
        lease_expires_at=now() + UNCLAIMED_FOR,
    )
    return bool(released)
