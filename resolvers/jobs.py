"""Progress of any background job, whichever kind its id belongs to."""

from collections.abc import AsyncGenerator
from functools import partial

from resolvers.context import Context
from services import jobs
from services.accounts import Scope
from services.core.ids import parse_id


async def job_progress(context: Context, id: str) -> AsyncGenerator[jobs.JobEvent, None]:
    viewer = context.require_viewer(Scope.READ)
    job_id = parse_id(id)
    state_now = partial(jobs.job_state, viewer, job_id)
    # NOT_FOUND before subscribing, for an id that is no job of the viewer's account.
    await state_now()
    return jobs.watch(job_id, state_now)
