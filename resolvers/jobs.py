"""Progress of any background job, whichever kind its id belongs to."""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from functools import partial

import strawberry

from schema.context import Info
from schema.jobs import JobProgress
from services import jobs
from services.core.ids import parse_id


async def job_progress(info: Info, id: strawberry.ID) -> AsyncGenerator[JobProgress, None]:
    viewer = info.context.require_viewer()
    job_id = parse_id(str(id))
    state_now = partial(jobs.job_state, viewer, job_id)
    async with aclosing(jobs.watch(job_id, state_now)) as events:
        async for event in events:
            yield JobProgress.from_event(event)
