from datetime import datetime
from typing import Self

import strawberry

import resolvers.comparisons
from resolvers.context import Info
from schema.enums import described_enum
from services import comparisons, crm, jobs

described_enum(
    comparisons.ComparisonStatus,
    "Where a comparison's job is.",
    {
        comparisons.ComparisonStatus.QUEUED: "Waits for a worker.",
        comparisons.ComparisonStatus.RUNNING: "A worker compares the two sides.",
        comparisons.ComparisonStatus.SUCCEEDED: "Done: `result` says what changed.",
        comparisons.ComparisonStatus.FAILED: "Stopped: `failureCode` says why.",
    },
)


@strawberry.type(
    description="One value that changed, as an example (at most 5 per property; never of a "
    "sensitive property)."
)
class ComparisonSample:
    record_id: strawberry.ID = strawberry.field(description="The record whose value changed.")
    record_name: str | None = strawberry.field(
        description="What people call the record (a contact's name or email, a deal's name, "
        "another type's primary property), from its values on the later side (else the "
        "earlier); null when it has none."
    )
    before: str | None = strawberry.field(description="The earlier value; null when blank.")
    after: str | None = strawberry.field(description="The later value; null when blank.")
    before_label: str | None = strawberry.field(
        description="`before` as people read it: an enumeration's option label."
    )
    after_label: str | None = strawberry.field(
        description="`after` as people read it: an enumeration's option label."
    )


@strawberry.type(description="How one property's values differ on the records both sides hold.")
class ComparisonProperty:
    name: str = strawberry.field(description="The property's name.")
    label: str = strawberry.field(description="The property's label.")
    sensitive: bool = strawberry.field(
        description="Personal data: its changes are counted, its values never sampled."
    )
    changed: int = strawberry.field(description="Records whose value was replaced by another.")
    set: int = strawberry.field(description="Records whose value was blank and became set.")
    cleared: int = strawberry.field(description="Records whose value was set and became blank.")
    samples: list[ComparisonSample] = strawberry.field(
        description="Up to 5 of its changes, in record id order; empty when sensitive."
    )

    @classmethod
    def from_diff(cls, object_type: str, prop: comparisons.PropertyDiff, names: crm.Names) -> Self:
        def label(value: str | None) -> str | None:
            return names.value(object_type, prop.name, value)

        return cls(
            name=prop.name,
            label=prop.label,
            sensitive=prop.sensitive,
            changed=prop.changed,
            set=prop.set,
            cleared=prop.cleared,
            samples=[
                ComparisonSample(
                    record_id=strawberry.ID(str(sample.record_id)),
                    record_name=sample.record_name,
                    before=sample.before,
                    after=sample.after,
                    before_label=label(sample.before),
                    after_label=label(sample.after),
                )
                for sample in prop.samples
            ],
        )


@strawberry.type(description="What changed in one object type's records.")
class ComparisonObject:
    object_type: str = strawberry.field(description="The object type's name.")
    records_before: int = strawberry.field(description="Records on the earlier side.")
    records_after: int = strawberry.field(description="Records on the later side.")
    added: int = strawberry.field(description="Records only the later side holds.")
    deleted: int = strawberry.field(
        description="Records gone from the later side into the recycle bin."
    )
    purged: int = strawberry.field(
        description="Records gone from the later side for good (purged before it)."
    )
    changed: int = strawberry.field(
        description="Records both sides hold with at least one value different."
    )
    unchanged: int = strawberry.field(description="Records both sides hold with the same values.")
    properties: list[ComparisonProperty] = strawberry.field(
        description="Every property either side defines, by name."
    )


@strawberry.type(description="A change past the account's mass-change thresholds.")
class MassChange:
    object_type: str = strawberry.field(description="The object type's name.")
    property: str | None = strawberry.field(
        description="The property whose values changed; null: the object type's records were "
        "removed."
    )
    count: int = strawberry.field(description="Records removed, or values changed, set or cleared.")
    out_of: int = strawberry.field(
        description="What `count` is a share of: the object type's records in the earlier "
        "backup, or (for a property) the records both backups hold."
    )


@strawberry.type(description="What a comparison found.")
class ComparisonResult:
    from_snapshot_at: datetime | None = strawberry.field(
        description="When the earlier backup's data was current."
    )
    to_snapshot_at: datetime | None = strawberry.field(
        description="When the later backup's data was current; for a comparison with today, "
        "when the records were read."
    )
    objects: list[ComparisonObject] = strawberry.field(
        description="Every object type either side holds, by name."
    )
    mass_changes: list[MassChange] = strawberry.field(
        description="For a comparison made after a backup with the previous one: what passed "
        "the account's mass-change thresholds (and raised MASS_CHANGE_DETECTED); else empty."
    )


@strawberry.type(
    description="What changed between a backup and a later one, or between a backup and the "
    "records today (`compareBackups`). SUPER_ADMIN only."
)
class Comparison:
    id: strawberry.ID = strawberry.field(
        description="The comparison's id; also its job's id for `jobProgress`."
    )
    status: comparisons.ComparisonStatus = strawberry.field(description="Where its job is.")
    from_backup_id: strawberry.ID = strawberry.field(description="The earlier backup.")
    to_backup_id: strawberry.ID | None = strawberry.field(
        description="The later backup; null when compared with the records today."
    )
    after_backup: bool = strawberry.field(
        description="Made by the service after the later backup succeeded, to check it for "
        "mass changes (else asked for with compareBackups)."
    )
    created_at: datetime = strawberry.field(description="When it was asked for.")
    completed_at: datetime | None = strawberry.field(
        description="When its job succeeded or failed; null until then."
    )
    failure_reason: str | None = strawberry.field(
        description="Why the job failed, as a sentence for the user (see failureCode)."
    )
    failure_code: jobs.FailureCode | None = strawberry.field(
        description="Why the job failed, for programs; null unless it failed."
    )
    model: strawberry.Private[comparisons.Comparison]

    @strawberry.field(description="What it found; null until SUCCEEDED.")
    async def result(self) -> ComparisonResult | None:
        if not self.model.result:
            return None
        found = comparisons.ComparisonSummary.model_validate(self.model.result)
        names = await resolvers.comparisons.names(
            self.model, {each.object_type for each in found.objects}
        )
        return ComparisonResult(
            from_snapshot_at=found.from_snapshot_at,
            to_snapshot_at=found.to_snapshot_at,
            objects=[_object(each, names) for each in found.objects],
            mass_changes=[MassChange(**change.model_dump()) for change in found.mass_changes],
        )

    @strawberry.field(
        description="A link to a CSV of every differing record (`object_type`, `record_id`, "
        "`change`: ADDED, DELETED, PURGED or CHANGED, `properties`: the changed ones joined by "
        "`;`), valid for a few minutes; null until SUCCEEDED. Super admins only."
    )
    def differences_download_url(self, info: Info) -> str | None:
        return resolvers.comparisons.differences_download_url(info.context, self.model)

    @classmethod
    def from_model(cls, comparison: comparisons.Comparison) -> Self:
        return cls(
            id=strawberry.ID(str(comparison.id)),
            status=comparison.status,
            from_backup_id=strawberry.ID(str(comparison.from_backup_id)),
            to_backup_id=strawberry.ID(str(comparison.to_backup_id))
            if comparison.to_backup_id
            else None,
            after_backup=comparison.watch,
            created_at=comparison.created_at,
            completed_at=comparison.completed_at,
            failure_reason=comparison.failure_reason or None,
            failure_code=jobs.failure_code(comparison),
            model=comparison,
        )


def _object(found: comparisons.ObjectDiff, names: crm.Names) -> ComparisonObject:
    return ComparisonObject(
        object_type=found.object_type,
        records_before=found.records_before,
        records_after=found.records_after,
        added=found.added,
        deleted=found.deleted,
        purged=found.purged,
        changed=found.changed,
        unchanged=found.unchanged,
        properties=[
            ComparisonProperty.from_diff(found.object_type, prop, names)
            for prop in found.properties
        ],
    )
