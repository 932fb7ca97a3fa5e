"""Sending again the jobs whose message was lost: from the scheduler (a job no worker took in
time, or whose worker died) and at an embedded start (the in-process queue forgot them all);
and how many wait; and removing the files of jobs whose worker died."""

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from services import storage
from services.core import environment
from services.core.clock import now
from services.jobs import metrics, queue
from services.jobs.kinds import ATTEMPT_TIME_LIMIT, KINDS, JobKind


async def requeue_lost_jobs(at: datetime | None = None) -> int:
    """Send again the jobs that no worker took in time or whose worker died."""
    at = at or now()
    return sum([await _requeue_lost(kind, at) for kind in KINDS])


async def resend_queued_jobs() -> int:
    """Send every waiting job again: at an embedded start, the in-process queue forgot them."""
    return sum([await _resend_queued(kind) for kind in KINDS])


async def queue_depth() -> dict[str, int]:
    """The rows waiting for a worker (retries included), by kind."""
    return {
        kind.actor_name: await kind.model.filter(status=kind.statuses.waiting).count()
        for kind in KINDS
    }


async def remove_left_files(at: datetime | None = None) -> int:
    """Delete the files that workers killed mid-job left: temporaries in the storage older than
    a job lease, and work-dir files no attempt can still hold (ATTEMPT_TIME_LIMIT)."""
    at = at or now()
    env = environment.current()
    return await storage.current().sweep_temporary(at - env.job_lease) + (
        await storage.sweep_work_dir(env.work_dir, at - ATTEMPT_TIME_LIMIT)
    )


async def _requeue_lost(kind: JobKind[Any], at: datetime) -> int:
    lapsed = Q(lease_expires_at__lt=at)
    lost = await _ids(kind.model.filter(lapsed, status__in=kind.statuses.active))
    async with queue.queueing(kind, at=at) as queued:
        for row_id in lost:
            # With several schedulers, one of them sends each job again.
            await queued.requeue(row_id, lapsed)
    if queued.row_ids:
        metrics.lost_jobs_resent.labels(kind.actor_name).inc(len(queued.row_ids))
    return len(queued.row_ids)


async def _resend_queued(kind: JobKind[Any]) -> int:
    waiting = await _ids(kind.model.filter(status=kind.statuses.waiting))
    for row_id in waiting:
        await queue.enqueue(kind, row_id)
    return len(waiting)


async def _ids(rows: QuerySet[Any]) -> list[UUID]:
    return cast(list[UUID], await rows.values_list("id", flat=True))
