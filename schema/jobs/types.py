from typing import Self

import strawberry

from services.jobs import JobEvent


@strawberry.type
class JobProgress:
    job_id: strawberry.ID
    status: str = strawberry.field(description="QUEUED, RUNNING, then SUCCEEDED or FAILED.")
    object_type: str | None = strawberry.field(description="The object type being worked on.")
    rows_done: int | None
    rows_total: int | None

    @classmethod
    def from_event(cls, event: JobEvent) -> Self:
        return cls(
            job_id=strawberry.ID(event.job_id),
            status=event.status,
            object_type=event.object_type,
            rows_done=event.rows_done,
            rows_total=event.rows_total,
        )
