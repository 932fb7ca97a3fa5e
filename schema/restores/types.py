from datetime import datetime
from typing import Self

import strawberry

import resolvers.restores
from schema.accounts.types import User
from services import restores

# The models' enums are the GraphQL ones: `strawberry.enum` marks the class in place.
strawberry.enum(restores.RestoreKind)
strawberry.enum(
    restores.RestoreStatus,
    description="PLAN_QUEUED and PLANNING while a worker computes the plan, then PLANNED (or "
    "PLAN_FAILED); once started QUEUED, RUNNING, SUCCEEDED or FAILED.",
)


@strawberry.type
class RestorePropertyPlan:
    name: str
    label: str
    sensitive: bool
    to_change: int
    to_clear: int = strawberry.field(description="Blank in the backup, set now: cleared.")
    unchanged: int

    @classmethod
    def from_plan(cls, prop: restores.PropertyPlan) -> Self:
        return cls(**prop.model_dump())


@strawberry.type
class RestoreSampleChange:
    record_id: strawberry.ID
    property: str
    current_value: str | None = strawberry.field(description="Null when blank or redacted.")
    restored_value: str | None = strawberry.field(
        description="The value the restore sets; null when it clears it, or when redacted."
    )
    redacted: bool = strawberry.field(description="The property is sensitive: values withheld.")

    @classmethod
    def from_sample(cls, sample: restores.SampleChange) -> Self:
        return cls(
            record_id=strawberry.ID(str(sample.record_id)),
            property=sample.property,
            current_value=sample.current,
            restored_value=sample.target,
            redacted=sample.redacted,
        )


@strawberry.type
class RestorePlan:
    values_as_of: datetime = strawberry.field(
        description="When the values to put back were current: the backup's snapshot, or the "
        "end of the restore a revert undoes."
    )
    planned_at: datetime | None = strawberry.field(
        description="When the comparison ended: startRestore refuses the plan an hour later."
    )
    records_in_source: int
    records_to_change: int
    records_unchanged: int
    records_deleted: int = strawberry.field(description="In the recycle bin: left there.")
    records_purged: int = strawberry.field(description="Deleted for good: not recreated.")
    records_created_since: int = strawberry.field(description="Not in the backup: left alone.")
    conflicts: int = strawberry.field(
        description="A revert's records changed again since the restore: left alone."
    )
    conflicting_record_ids: list[strawberry.ID] = strawberry.field(description="Up to 20.")
    properties: list[RestorePropertyPlan]
    sample_changes: list[RestoreSampleChange] = strawberry.field(description="Up to 20.")
    guidance: list[str] = strawberry.field(
        description="How to recover what the restore leaves out, and what it leaves alone."
    )
    data_change_notice: str = strawberry.field(description="What acknowledgeDataChange accepts.")
    irreversible_notice: str = strawberry.field(description="What acknowledgeIrreversible accepts.")

    @classmethod
    def from_summary(cls, summary: restores.PlanSummary) -> Self:
        return cls(
            values_as_of=summary.values_as_of,
            planned_at=summary.planned_at,
            records_in_source=summary.records_in_source,
            records_to_change=summary.records_to_change,
            records_unchanged=summary.records_unchanged,
            records_deleted=summary.records_deleted,
            records_purged=summary.records_purged,
            records_created_since=summary.records_created_since,
            conflicts=summary.conflicts,
            conflicting_record_ids=[
                strawberry.ID(str(record_id)) for record_id in summary.conflicting_record_ids
            ],
            properties=[RestorePropertyPlan.from_plan(prop) for prop in summary.properties],
            sample_changes=[RestoreSampleChange.from_sample(item) for item in summary.samples],
            guidance=summary.guidance,
            data_change_notice=summary.data_change_notice,
            irreversible_notice=summary.irreversible_notice,
        )


@strawberry.type(
    description="What applying really changed, so far (the data may have moved since the plan)."
)
class RestoreCounts:
    records_changed: int
    values_set: int
    values_cleared: int
    records_unchanged: int = strawberry.field(description="Already held the values.")
    records_skipped: int = strawberry.field(
        description="In the recycle bin or purged: not recreated."
    )
    conflicts: int = strawberry.field(
        description="A revert's records changed again since the restore: left alone."
    )

    @classmethod
    def from_counts(cls, counts: restores.AppliedCounts) -> Self:
        # The same fields, but for the job's own bookkeeping.
        return cls(**counts.model_dump(exclude={"batches_done"}))


@strawberry.type
class Restore:
    id: strawberry.ID
    kind: restores.RestoreKind
    status: restores.RestoreStatus
    backup_id: strawberry.ID
    reverts_id: strawberry.ID | None = strawberry.field(description="For a REVERT.")
    object_type: str
    properties: list[str]
    plan: RestorePlan | None = strawberry.field(
        description="Null until PLANNED: follow the plan's job with jobProgress(id: <this id>)."
    )
    counts: RestoreCounts | None = strawberry.field(description="Null until it starts.")
    requested_by: User | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    failure_reason: str | None = strawberry.field(
        description="Why the job failed, as a sentence for the user (see failureCode)."
    )
    failure_code: restores.FailureCode | None = strawberry.field(
        description="Why the job failed, for programs; null unless it failed."
    )
    model: strawberry.Private[restores.Restore]

    @strawberry.field(
        description="Until when `planRevert` accepts this restore; null when it does not: not "
        "a finished restore, its 14 days are over, or it is reverted already."
    )
    async def revertible_until(self) -> datetime | None:
        return await resolvers.restores.revertible_until(self.model)

    @classmethod
    def from_model(cls, restore: restores.Restore) -> Self:
        """`object_type` and `requested_by` must have been fetched."""
        requester = restore.requested_by if restore.requested_by_id else None
        return cls(
            id=strawberry.ID(str(restore.id)),
            kind=restore.kind,
            status=restore.status,
            backup_id=strawberry.ID(str(restore.backup_id)),
            reverts_id=strawberry.ID(str(restore.reverts_id)) if restore.reverts_id else None,
            object_type=restore.object_type.name,
            properties=list(restore.properties),
            plan=RestorePlan.from_summary(restores.PlanSummary.model_validate(restore.plan))
            if restore.plan
            else None,
            counts=None
            if restore.status in restores.PLAN_STATUSES
            else RestoreCounts.from_counts(restores.AppliedCounts.model_validate(restore.counts)),
            requested_by=User.from_model(requester) if requester else None,
            created_at=restore.created_at,
            started_at=restore.started_at,
            completed_at=restore.completed_at,
            failure_reason=restore.failure_reason or None,
            failure_code=restores.failure_code(restore),
            model=restore,
        )
