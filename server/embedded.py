"""Embedded mode's background machinery: an in-process job worker and the scheduler loop."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import dramatiq

from services import jobs
from workers import broker, scheduler

WORKER_THREADS = 2


@contextlib.asynccontextmanager
async def background_jobs(scheduler_interval_seconds: float) -> AsyncIterator[dramatiq.Broker]:
    """Run jobs and scheduled passes inside this process for as long as the context is open."""
    stub = broker.embedded(asyncio.get_running_loop())
    worker = dramatiq.Worker(stub, worker_threads=WORKER_THREADS)
    worker.start()
    await jobs.resend_queued_jobs()
    scheduling = asyncio.create_task(scheduler.loop_forever(scheduler_interval_seconds))
    try:
        yield stub
    finally:
        scheduling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await scheduling
        # Joining the threads blocks; their running actors need this loop to finish.
        await asyncio.to_thread(worker.stop)
