"""The jobs' root field: a job's progress, live."""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated

import strawberry

import resolvers.jobs
from resolvers.context import Info
from schema.jobs.types import JobProgress


@strawberry.type
class JobSubscriptions:
    @strawberry.subscription(
        description="A job's state now, then each change, until it finishes (SUCCEEDED, FAILED, "
        "EXPIRED or PLAN_FAILED). A restore's id follows its plan (PLANNING with rows compared, "
        "then PLANNED) and, once started, its application, in one stream. SUPER_ADMIN only "
        "(else FORBIDDEN)."
    )
    async def job_progress(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The id of a backup or a restore (or restore plan) of the "
                "account (else NOT_FOUND)."
            ),
        ],
    ) -> AsyncGenerator[JobProgress, None]:
        live = await resolvers.jobs.job_progress(info.context, id)
        async with aclosing(live) as events:
            async for event in events:
                yield JobProgress.from_event(event)
