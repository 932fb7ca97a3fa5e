from enum import Enum
from typing import Self

import strawberry

from services.jobs import JobEvent


@strawberry.enum(
    description="A job's state: a backup's, or a restore's (its plan, then its application). "
    "The values of each job's own status enum (BackupStatus, RestoreStatus), in one."
)
class JobProgressStatus(Enum):
    PLAN_QUEUED = strawberry.enum_value(
        "PLAN_QUEUED", description="A restore's plan waits for a worker."
    )
    PLANNING = strawberry.enum_value(
        "PLANNING", description="A worker compares a restore's source with the live records."
    )
    PLANNED = strawberry.enum_value(
        "PLANNED",
        description="A restore's plan is ready: a pause, not an end; the stream goes on once "
        "the restore is started.",
    )
    PLAN_FAILED = strawberry.enum_value(
        "PLAN_FAILED", description="A restore's plan could not be made; the stream ends."
    )
    PLAN_DISCARDED = strawberry.enum_value(
        "PLAN_DISCARDED",
        description="A restore's plan put aside unstarted (`discardRestorePlan`); the stream ends.",
    )
    QUEUED = strawberry.enum_value("QUEUED", description="Waiting for a worker.")
    RUNNING = strawberry.enum_value("RUNNING", description="A worker is at it.")
    SUCCEEDED = strawberry.enum_value("SUCCEEDED", description="Done; the stream ends.")
    FAILED = strawberry.enum_value(
        "FAILED", description="Stopped; the job's `failureCode` says why. The stream ends."
    )
    EXPIRED = strawberry.enum_value(
        "EXPIRED", description="A backup past its 14 days; the stream ends."
    )


@strawberry.type(description="A job's state at one moment, and how far it got.")
class JobProgress:
    job_id: strawberry.ID = strawberry.field(
        description="The job's id: the backup's or the restore's."
    )
    status: JobProgressStatus = strawberry.field(description="The job's state.")
    object_type: str | None = strawberry.field(description="The object type being worked on.")
    rows_done: int | None = strawberry.field(
        description="Rows (records) done so far in the current step; null when not counted."
    )
    rows_total: int | None = strawberry.field(
        description="Rows (records) the current step will do; null when not known yet."
    )

    @classmethod
    def from_event(cls, event: JobEvent) -> Self:
        return cls(
            job_id=strawberry.ID(event.job_id),
            status=JobProgressStatus(event.status),
            object_type=event.object_type,
            rows_done=event.rows_done,
            rows_total=event.rows_total,
        )
