"""Progress of any background job, whichever kind its id belongs to."""

from collections.abc import AsyncGenerator, Awaitable, Callable
from functools import partial
from uuid import UUID

from resolvers.context import Context
from services import backups, imports, restores
from services.core.errors import NotFound
from services.core.ids import parse_id
from services.core.viewer import Viewer
from services.jobs import progress as job_events
from services.jobs.progress import JobEvent

# One per kind of job: the job's state now, or NOT_FOUND when the id is not one of that kind.
JOB_STATES: tuple[Callable[[Viewer, UUID], Awaitable[JobEvent]], ...] = (
    backups.job_state,
    imports.job_state,
    restores.job_state,
)


async def _state_reader(viewer: Viewer, job_id: UUID) -> Callable[[], Awaitable[JobEvent]]:
    for state in JOB_STATES:
        try:
            await state(viewer, job_id)
        except NotFound:
            continue
        return partial(state, viewer, job_id)
    raise NotFound(f"No job with the id {job_id}.")


async def job_progress(context: Context, id: str) -> AsyncGenerator[JobEvent, None]:
    viewer = context.require_viewer()
    job_id = parse_id(id)
    state_now = await _state_reader(viewer, job_id)
    return job_events.watch(job_id, state_now)
