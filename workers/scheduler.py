"""Periodic housekeeping: `crm-backup scheduler` in production, a task of the server when embedded.

Each pass is safe to run in several processes at once: it only issues idempotent or
compare-and-set statements, never acts on a process-local flag.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from services import accounts, backups, crm, jobs, restores
from services.core import database
from services.core.outages import is_outage

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]

JOBS: tuple[Job, ...] = (
    accounts.delete_expired_sessions,
    backups.expire_backups,
    jobs.requeue_lost_jobs,
    jobs.remove_left_files,
    restores.forget_unused_uploads,
    backups.run_due_schedules,
    crm.delete_sent_record_changes,
    crm.sample_property_values,
)


async def run_pass(jobs: tuple[Job, ...] = JOBS) -> None:
    for job in jobs:
        try:
            await job()
        except Exception as error:
            # One failing job must not stop the others or the loop; an outage is waited out.
            if is_outage(error):
                log.warning("Scheduled job %s waits: %r", job.__qualname__, error)
            else:
                log.exception("Scheduled job %s failed", job.__qualname__)


async def loop_forever(interval_seconds: float) -> None:
    """A pass, then one every `interval_seconds` (SCHEDULER_INTERVAL_SECONDS)."""
    while True:
        await run_pass()
        await asyncio.sleep(interval_seconds)


def run(database_url: str, interval_seconds: float) -> None:
    async def main() -> None:
        await database.connect(database_url)
        try:
            await loop_forever(interval_seconds)
        finally:
            await database.disconnect()

    asyncio.run(main())
