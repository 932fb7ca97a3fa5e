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
from datetime import datetime, timedelta
from typing import Generic, TypeVar, cast
from uuid import UUID

from tortoise.expressions import F, Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.backups import Backup
from models.imports import Import
from models.restores import Restore
from services.core import environment
from services.core.clock import now
from services.jobs import progress as job_events
from services.jobs import queue as jobs
from services.jobs.progress import JobEvent

log = logging.getLogger(__name__)

J = TypeVar("J", bound=Model)

QUEUED, RUNNING = "QUEUED", "RUNNING"
# A running job renews its lease (`Environment.job_lease`) this many times per lease, so a
# slow renewal or two never lets it lapse while the worker lives.
RENEWALS_PER_LEASE = 6
PROGRESS_EVERY_SECONDS = 0.5
# A QUEUED job no worker took within this has lost its message (a broker restart).
UNCLAIMED_FOR = timedelta(minutes=2)


def _lease() -> timedelta:
    return environment.current().job_lease


class LostClaim(Exception):
    """Another worker took the job over (this one was presumed dead)."""


class Claim(Generic[J]):
    """This worker's hold on a RUNNING job row, identified by its attempt number."""

    def __init__(self, model: type[J], row: J) -> None:
        self.model = model
        self.row = row
        self._renewed = time.monotonic()
        self._published = 0.0
        self._lost = False

    @property
    def attempt(self) -> int:
        return int(self.row.attempts)  # type: ignore[attr-defined]

    def mine(self) -> QuerySet[J]:
        """The row, as long as this worker still holds it."""
        return self.model.filter(id=self.row.pk, status=RUNNING, attempts=self.attempt)

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

    async def progress(self, object_type: str, rows_done: int, rows_total: int) -> None:
        """Keep the lease and tell subscribers, at most every PROGRESS_EVERY_SECONDS."""
        await self.keep_alive()
        clock = time.monotonic()
        if clock - self._published >= PROGRESS_EVERY_SECONDS or rows_done == rows_total:
            self._published = clock
            event = JobEvent(str(self.row.pk), RUNNING, object_type, rows_done, rows_total)
            await job_events.publish(self.row.pk, event)


async def claim(model: type[J], row_id: UUID) -> Claim[J] | None:
    """Take a QUEUED job, or a RUNNING one whose worker died; None if there is nothing to do."""
    at = now()
    claimable = Q(status=QUEUED) | Q(status=RUNNING, lease_expires_at__lt=at)
    taken = await model.filter(claimable, id=row_id).update(
        status=RUNNING, started_at=at, lease_expires_at=at + _lease(), attempts=F("attempts") + 1
    )
    if not taken:
        return None
    return Claim(model, await model.get(id=row_id))


async def release_for_retry(held: Claim[J], reason: str) -> None:
    """Put the job back in the queue, for the broker's retry after its back-off."""
    await held.mine().update(
        status=QUEUED, failure_reason=reason, lease_expires_at=now() + UNCLAIMED_FOR
    )


# Every kind of job row, and the job that works on one. (A restore's imports-list entry is
# written once it has finished: only file imports wait for a worker.)
JOB_ROWS: tuple[tuple[type[Model], str], ...] = (
    (Backup, jobs.EXPORT_BACKUP),
    (Import, jobs.IMPORT_FILE),
    (Restore, jobs.APPLY_RESTORE),
)


async def requeue_lost_jobs(at: datetime | None = None) -> int:
    """Send again the jobs that no worker took in time or whose worker died."""
    at = at or now()
    return sum([await _requeue_lost(model, job, at) for model, job in JOB_ROWS])


async def resend_queued_jobs() -> int:
    """Send every QUEUED job again: at an embedded start, the in-process queue forgot them."""
    return sum([await _resend_queued(model, job) for model, job in JOB_ROWS])


async def _requeue_lost(model: type[Model], job: str, at: datetime) -> int:
    lost = await _ids(model.filter(status__in=[QUEUED, RUNNING], lease_expires_at__lt=at))
    sent = 0
    for row_id in lost:
        # Compare-and-set: with several schedulers, one of them sends each job again.
        taken = await model.filter(id=row_id, lease_expires_at__lt=at).update(
            status=QUEUED, lease_expires_at=at + UNCLAIMED_FOR
        )
        if taken:
            jobs.enqueue(job, row_id)
            sent += 1
    return sent


async def _resend_queued(model: type[Model], job: str) -> int:
    queued = await _ids(model.filter(status=QUEUED))
    for row_id in queued:
        jobs.enqueue(job, row_id)
    return len(queued)


async def _ids(rows: QuerySet[Model]) -> list[UUID]:
    return cast(list[UUID], await rows.values_list("id", flat=True))
