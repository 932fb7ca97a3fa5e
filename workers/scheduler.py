"""Periodic housekeeping: `crm-backup scheduler` in production, a task of the server when embedded.

Each pass is safe to run in several processes at once: it only issues idempotent or
compare-and-set statements, never acts on a process-local flag.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from services import auth, backups, database, schedules

log = logging.getLogger(__name__)

PASS_INTERVAL_SECONDS = 30.0

Job = Callable[[], Awaitable[object]]

JOBS: tuple[Job, ...] = (
    auth.delete_expired_sessions,
    backups.expire_backups,
    backups.requeue_lost_jobs,
    schedules.run_due_schedules,
)


async def run_pass(jobs: tuple[Job, ...] = JOBS) -> None:
    for job in jobs:
        try:
            await job()
        except Exception:
            # One failing job must not stop the others or the loop.
            log.exception("Scheduled job %s failed", job.__qualname__)


async def loop_forever(interval: float = PASS_INTERVAL_SECONDS) -> None:
    while True:
        await run_pass()
        await asyncio.sleep(interval)


def run(database_url: str) -> None:
    async def main() -> None:
        await database.connect(database_url)
        try:
            await loop_forever()
        finally:
            await database.disconnect()

    asyncio.run(main())
