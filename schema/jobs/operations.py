"""The jobs' root field: a job's progress, live."""

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

import resolvers.jobs
from resolvers.context import Info
from schema.jobs.types import JobProgress


@strawberry.type
class JobSubscriptions:
    @strawberry.subscription(
        description="A job's state now, then each change, until it finishes (SUCCEEDED, FAILED, "
        "EXPIRED or PLAN_FAILED). A restore's id follows its plan (PLANNING with rows compared, "
        "then PLANNED) and, once started, its application, in one stream."
    )
    async def job_progress(
        self, info: Info, id: strawberry.ID
    ) -> AsyncGenerator[JobProgress, None]:
        live = await resolvers.jobs.job_progress(info.context, id)
        async with aclosing(live) as events:
            async for event in events:
                yield JobProgress.from_event(event)
