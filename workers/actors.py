"""The job actors, one per kind of job (`services.jobs.KINDS`). Thin: each calls its domain's
run function, which claims the row and records the outcome."""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import dramatiq

from services import backups, comparisons, jobs, restores

# One queue for every job: a worker polls each queue (and its delay queue) while idle, and a
# queue per job cost an idle worker three times the CPU and the Redis commands, for nothing:
# any worker runs any job, one at a time per thread.
QUEUE = "jobs"

Run = Callable[[UUID], Awaitable[None]]

# Each kind's job, in the domain that owns its rows.
RUNS: dict[jobs.JobKind[Any], Run] = {
    jobs.EXPORT_BACKUP: backups.run_export,
    jobs.PLAN_RESTORE: restores.run_plan,
    jobs.APPLY_RESTORE: restores.run_restore,
    jobs.COMPARE_BACKUPS: comparisons.run_compare,
}


def _declare(kind: jobs.JobKind[Any], run: Run) -> dramatiq.Actor[[str], Any]:
    """The kind's actor: its attempts in all, a back-off of seconds to a minute (not
    Dramatiq's default of 20 retries over days)."""

    async def perform(row_id: str) -> None:
        await run(UUID(row_id))

    declare = dramatiq.actor(
        actor_name=kind.actor_name,
        queue_name=QUEUE,
        max_retries=kind.max_attempts - 1,
        min_backoff=5_000,
        max_backoff=60_000,
        time_limit=int(jobs.ATTEMPT_TIME_LIMIT.total_seconds() * 1000),
    )
    return declare(perform)


# Declared on the broker that is global when this module is first imported (`workers.broker`).
ACTORS = {kind: _declare(kind, RUNS[kind]) for kind in jobs.KINDS}


def _sender(actor: dramatiq.Actor[[str], Any]) -> Callable[[UUID], object]:
    return lambda row_id: actor.send(str(row_id))


def register() -> None:
    """Send each kind's jobs through its actor (on whichever broker is current)."""
    for kind, actor in ACTORS.items():
        jobs.register(kind, _sender(actor))
