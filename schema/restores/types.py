from datetime import datetime
from typing import Annotated, Self

import strawberry

import resolvers.restores
from resolvers.context import Info
from schema.accounts.types import User
from schema.crm.types import PropertyValue
from schema.enums import described_enum
from schema.pagination import AFTER, FIRST, Connection
from schema.scalars import BigInt
from services import crm, restores

# The models' enums are the GraphQL ones, marked in place.
described_enum(
    restores.RestoreKind,
    "What a restore does.",
    {
        restores.RestoreKind.RESTORE: "Puts values from a backup or an uploaded file on records.",
        restores.RestoreKind.REVERT: "Puts back the values a finished restore overwrote "
        "(`planRevert`, within 14 days of it).",
    },
)
described_enum(
    restores.RestoreSource,
    "Where a restore's values come from.",
    {
        restores.RestoreSource.BACKUP: "Chosen properties of one object type from a stored "
        "backup, on live records.",
        restores.RestoreSource.FILE: "An uploaded backup ZIP or CSV, every column of it, "
        "bringing records back from the recycle bin and recreating purged ones (contacts "
        "excepted).",
    },
)
described_enum(
    restores.RestoreStatus,
    "PLAN_QUEUED and PLANNING while a worker computes the plan, then PLANNED (or PLAN_FAILED); "
    "PLAN_DISCARDED once put aside unstarted; once started QUEUED, RUNNING, SUCCEEDED or "
    "FAILED.",
    {
        restores.RestoreStatus.PLAN_QUEUED: "The plan waits for a worker.",
        restores.RestoreStatus.PLANNING: "A worker compares the source with the live records.",
        restores.RestoreStatus.PLANNED: "The plan is ready (`plan`): it may be started within "
        "an hour.",
        restores.RestoreStatus.PLAN_FAILED: "The plan could not be made: see `failureCode`.",
        restores.RestoreStatus.PLAN_DISCARDED: "Put aside unstarted (`discardRestorePlan`): it "
        "can no longer be started.",
        restores.RestoreStatus.QUEUED: "Started; waits for a worker.",
        restores.RestoreStatus.RUNNING: "A worker is writing the values, batch by batch.",
        restores.RestoreStatus.SUCCEEDED: "Done: `counts` says what changed.",
        restores.RestoreStatus.FAILED: "Stopped: `failureCode` says why; what was written "
        "stays, and can be reverted.",
    },
)


@strawberry.type(description="What a plan does to one property.")
class RestorePropertyPlan:
    name: str = strawberry.field(description="The property's name.")
    label: str = strawberry.field(description="The property's label.")
    sensitive: bool = strawberry.field(
        description="Personal data: its values are withheld from the samples."
    )
    to_change: int = strawberry.field(description="Records whose value is set or replaced.")
    to_clear: int = strawberry.field(description="Blank in the backup, set now: cleared.")
    unchanged: int = strawberry.field(description="Records that hold the value already.")

    @classmethod
    def from_plan(cls, prop: restores.PropertyPlan) -> Self:
        return cls(**prop.model_dump())


@strawberry.type(
    description="One value the plan changes, as an example. Sensitive properties are counted "
    "in the plan but never sampled."
)
class RestoreSampleChange:
    record_id: strawberry.ID = strawberry.field(description="The record it changes.")
    record_name: str | None = strawberry.field(
        description="What people call the record: a contact's name or email, a company's or "
        "deal's name, another object type's primary (first) property; null when it has none "
        "or is purged."
    )
    object_type: str = strawberry.field(description="The record's object type's name.")
    property: str = strawberry.field(description="The property's name.")
    current_value: str | None = strawberry.field(description="Null when blank or redacted.")
    restored_value: str | None = strawberry.field(
        description="The value the restore sets; null when it clears it, or when redacted."
    )
    current_label: str | None = strawberry.field(
        description="currentValue as people read it: an enumeration's option label."
    )
    restored_label: str | None = strawberry.field(
        description="restoredValue as people read it: an enumeration's option label."
    )
    redacted: bool = strawberry.field(
        description="Values withheld: only in plans made before sensitive properties stopped "
        "being sampled."
    )

    @classmethod
    def from_sample(cls, sample: restores.SampleChange, names: crm.Names) -> Self:
        kind = sample.object_type
        return cls(
            record_id=strawberry.ID(str(sample.record_id)),
            record_name=names.record(sample.record_id),
            object_type=kind,
            property=sample.property,
            current_value=sample.current,
            restored_value=sample.target,
            current_label=names.value(kind, sample.property, sample.current),
            restored_label=names.value(kind, sample.property, sample.target),
            redacted=sample.redacted,
        )


@strawberry.interface(description="What happens to a source's records: each is counted once.")
class RestorePlanCounts:
    records_in_source: int = strawberry.field(
        description="Records (rows) in the backup's or file's data for the plan's object types."
    )
    records_to_change: int = strawberry.field(description="Live records whose values change.")
    records_unchanged: int = strawberry.field(
        description="Live records that hold the values already."
    )
    records_to_bring_back: int = strawberry.field(
        description="From a file: records taken out of the recycle bin, with the file's values."
    )
    records_to_recreate: int = strawberry.field(
        description="From a file: purged records created again with their ids (restored as "
        "new records: every record to create, with a new id)."
    )
    records_refused: int = strawberry.field(
        description="From a file: rows refused, each with its reason (refusedRows)."
    )
    records_deleted: int = strawberry.field(
        description="From a backup: records in the recycle bin, left there."
    )
    records_purged: int = strawberry.field(
        description="From a backup: records deleted for good, not recreated."
    )
    records_created_since: int = strawberry.field(description="Not in the backup: left alone.")
    conflicts: int = strawberry.field(
        description="A revert's records changed again since the restore: left alone."
    )


@strawberry.type(description="What the plan found for one object type of the source.")
class RestoreObjectPlan(RestorePlanCounts):
    object_type: str = strawberry.field(description="The object type's name.")
    label: str = strawberry.field(description="The object type's plural label.")
    properties: list[RestorePropertyPlan] = strawberry.field(
        description="What the plan does to each of its properties."
    )
    restore: strawberry.Private[restores.Restore]

    @strawberry.field(
        description="A link to a CSV of this object type's refused rows (`id`, the file's "
        "columns, then why), to fix and upload again as is; a signed link valid 5 minutes; null "
        "when none was refused."
    )
    def refused_rows_download_url(self, info: Info) -> str | None:
        if not self.records_refused:
            return None
        return resolvers.restores.refused_rows_download_url(
            info.context, self.restore, self.object_type
        )

    @classmethod
    def from_plan(cls, planned: restores.ObjectPlan, restore: restores.Restore) -> Self:
        return cls(
            object_type=planned.object_type,
            label=planned.label,
            properties=[RestorePropertyPlan.from_plan(prop) for prop in planned.properties],
            restore=restore,
            **planned.model_dump(include=set(restores.Counts.model_fields)),
        )


@strawberry.type(
    description="What starting the restore would change, computed by a worker: counts per "
    "object type and property, samples, and the notices to acknowledge."
)
class RestorePlan(RestorePlanCounts):
    values_as_of: datetime | None = strawberry.field(
        description="When the values to put back were current: the backup's snapshot, or the "
        "end of the restore a revert undoes; null for an uploaded CSV, which does not say."
    )
    planned_at: datetime | None = strawberry.field(
        description="When the comparison ended: startRestore refuses the plan an hour later."
    )
    conflicting_record_ids: list[strawberry.ID] = strawberry.field(description="Up to 20.")
    objects: list[RestoreObjectPlan] = strawberry.field(
        description="Per object type of the source, in its order; one for a backup's restore."
    )
    properties: list[RestorePropertyPlan] = strawberry.field(
        description="The properties of the plan's one object type; empty when it has several "
        "(see objects)."
    )
    samples: strawberry.Private[list[restores.SampleChange]]
    restore: strawberry.Private[restores.Restore]
    guidance: list[str] = strawberry.field(
        description="How to recover what the restore leaves out, and what it leaves alone."
    )
    data_change_notice: str = strawberry.field(description="What acknowledgeDataChange accepts.")
    irreversible_notice: str = strawberry.field(description="What acknowledgeIrreversible accepts.")
    associations_to_add: int = strawberry.field(
        description="From a backup ZIP holding associations.csv: associations between the "
        "restored records to add (0 restored as new records, which leaves them out)."
    )
    associations_present: int = strawberry.field(
        description="From a backup ZIP holding associations.csv: associations already there."
    )
    associations_refused: int = strawberry.field(
        description="From a backup ZIP holding associations.csv: associations left out, as a "
        "record they link is not in the account and not brought back by the restore."
    )
    associations_to_remove: int = strawberry.field(
        description="A revert: associations its restore added, still there, to remove."
    )

    @strawberry.field(description="Up to 20, their records named in one read.")
    async def sample_changes(self) -> list[RestoreSampleChange]:
        names = await resolvers.restores.names(
            self.restore,
            {sample.object_type for sample in self.samples},
            [sample.record_id for sample in self.samples],
        )
        return [RestoreSampleChange.from_sample(sample, names) for sample in self.samples]

    @classmethod
    def from_summary(cls, summary: restores.PlanSummary, restore: restores.Restore) -> Self:
        return cls(
            values_as_of=summary.values_as_of,
            planned_at=summary.planned_at,
            **summary.model_dump(include=set(restores.Counts.model_fields)),
            associations_to_add=summary.associations_to_add,
            associations_present=summary.associations_present,
            associations_refused=summary.associations_refused,
            associations_to_remove=summary.associations_to_remove,
            objects=[RestoreObjectPlan.from_plan(planned, restore) for planned in summary.objects],
            conflicting_record_ids=[
                strawberry.ID(str(record_id)) for record_id in summary.conflicting_record_ids
            ],
            properties=[RestorePropertyPlan.from_plan(prop) for prop in summary.properties],
            samples=summary.samples,
            restore=restore,
            guidance=summary.guidance,
            data_change_notice=summary.data_change_notice,
            irreversible_notice=summary.irreversible_notice,
        )


@strawberry.type(
    description="What applying really changed, so far (the data may have moved since the plan)."
)
class RestoreCounts:
    records_changed: int = strawberry.field(description="Live records given new values.")
    values_set: int = strawberry.field(description="Values set or replaced, over all records.")
    values_cleared: int = strawberry.field(description="Values cleared, over all records.")
    records_unchanged: int = strawberry.field(description="Already held the values.")
    records_skipped: int = strawberry.field(
        description="From a backup: in the recycle bin or purged, not recreated."
    )
    conflicts: int = strawberry.field(
        description="A revert's records changed again since the restore: left alone."
    )
    records_brought_back: int = strawberry.field(
        description="From a file: taken out of the recycle bin, with the file's values."
    )
    records_recreated: int = strawberry.field(
        description="From a file: purged records created again with their ids (restored as "
        "new records: every record created, with a new id)."
    )
    records_refused: int = strawberry.field(description="From a file: rows refused.")
    records_returned_to_bin: int = strawberry.field(
        description="A revert of a restore from a file: records it had brought back, in the "
        "recycle bin again."
    )
    records_removed: int = strawberry.field(
        description="A revert of a restore from a file: records it had recreated, deleted again."
    )
    associations_added: int = strawberry.field(
        description="From a backup ZIP holding associations.csv: associations added."
    )
    associations_present: int = strawberry.field(
        description="From a backup ZIP holding associations.csv: associations already there."
    )
    associations_refused: int = strawberry.field(
        description="From a backup ZIP holding associations.csv: associations left out, as a "
        "record they link is missing."
    )
    associations_removed: int = strawberry.field(
        description="A revert: associations its restore had added, removed."
    )

    @classmethod
    def from_counts(cls, counts: restores.AppliedCounts) -> Self:
        # The same fields, but for the job's own bookkeeping.
        return cls(**counts.model_dump(exclude={"batches_done"}))


@strawberry.type(description="A row of an uploaded file that the plan refused, and why.")
class RestoreRefusedRow:
    object_type: str = strawberry.field(description="The file (of a ZIP) the row is in.")
    row_number: BigInt = strawberry.field(description="1 is the first row after the header.")
    record_id: str = strawberry.field(description="The row's `id` column, as in the file.")
    record_name: str | None = strawberry.field(
        description="What people call the row's record, from the row's own values (see "
        "RestoreSampleChange.recordName); null when they do not name it."
    )
    values: list[PropertyValue] = strawberry.field(
        description="The row's set values, as in the file; sensitive ones withheld."
    )
    redacted: list[str] = strawberry.field(description="Sensitive properties withheld.")
    reason: str = strawberry.field(description="Why it was refused, for people.")

    @classmethod
    def from_model(
        cls, row: restores.RestoreRefusal, sensitive: frozenset[str], names: crm.Names
    ) -> Self:
        return cls(
            object_type=row.object_type_name,
            row_number=BigInt(row.row_number),
            record_id=row.record_id,
            record_name=names.of_values(row.object_type_name, row.values),
            values=[
                PropertyValue(name=name, value=value)
                for name, value in sorted(row.values.items())
                if name not in sensitive
            ],
            redacted=sorted(sensitive & row.values.keys()),
            reason=row.reason,
        )


@strawberry.type(
    description="A restore or revert, from its plan to its end: planned first (`planRestore`, "
    "`planRevert`, or an upload to `POST /imports`), then started. SUPER_ADMIN only."
)
class Restore:
    id: strawberry.ID = strawberry.field(
        description="The restore's id; also its job's id for `jobProgress`."
    )
    kind: restores.RestoreKind = strawberry.field(description="A restore or a revert.")
    source: restores.RestoreSource = strawberry.field(description="Where its values come from.")
    status: restores.RestoreStatus = strawberry.field(
        description="Where it is: planning, planned, or applying."
    )
    backup_id: strawberry.ID | None = strawberry.field(description="For source BACKUP.")
    file_name: str | None = strawberry.field(
        description="For source FILE: the uploaded file's name, as sent."
    )
    as_new_records: bool = strawberry.field(
        description="For source FILE, chosen at upload (`asNewRecords`): every row becomes a "
        "new record with a new id, whatever record its id names (another account's backup "
        "restored into this one); idMapDownloadUrl gives the new ids."
    )
    reverts_id: strawberry.ID | None = strawberry.field(description="For a REVERT.")
    object_type: str | None = strawberry.field(
        description="Null for an uploaded backup ZIP: every object type it holds."
    )
    properties: list[str] = strawberry.field(
        description="The chosen properties; empty for a file: every column of it."
    )
    record_ids: list[strawberry.ID] | None = strawberry.field(
        description="A restore of these records only (`planRestore(recordIds:)`); null: not "
        "limited to ids."
    )
    comparison_id: strawberry.ID | None = strawberry.field(
        description="A restore of only the records this comparison found changed, deleted or "
        "purged (`planRestore(comparisonId:)`); null: not limited by a comparison."
    )
    plan: RestorePlan | None = strawberry.field(
        description="Null until PLANNED: follow the plan's job with jobProgress(id: <this id>)."
    )
    counts: RestoreCounts | None = strawberry.field(description="Null until it starts.")
    requested_by: User | None = strawberry.field(
        description="Who planned it; null once that user is removed."
    )
    created_at: datetime = strawberry.field(description="When it was planned.")
    started_at: datetime | None = strawberry.field(
        description="When a worker started applying it; null until then."
    )
    completed_at: datetime | None = strawberry.field(
        description="When applying succeeded or failed; null until then."
    )
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

    @strawberry.field(
        description="Restored as new records: a link to a CSV of `object_type`, `old_id` (the "
        "record's id in the file) and `new_id` (its id here) for every record created, valid "
        "for a few minutes; null before any was created, or for other restores. Super admins "
        "only."
    )
    async def id_map_download_url(self, info: Info) -> str | None:
        return await resolvers.restores.id_map_download_url(info.context, self.model)

    @strawberry.field(
        description="Until when startRestore or revertRestore takes this plan: an hour after it "
        "was compared (later it is PLAN_STALE), and no later than its backup's "
        "`restorableUntil` (later BACKUP_EXPIRED) or the end of the reverted restore's revert "
        "window; null unless PLANNED, or once its backup expired."
    )
    async def startable_until(self) -> datetime | None:
        return await resolvers.restores.startable_until(self.model)

    @strawberry.field(description="For source FILE: the rows the plan refused, in file order.")
    async def refused_rows(
        self, first: Annotated[int, FIRST] = 20, after: Annotated[str | None, AFTER] = None
    ) -> Connection[RestoreRefusedRow]:
        page = await resolvers.restores.refused_rows(self.model, first, after)
        sensitive = _sensitive(self.model)
        names = await resolvers.restores.names(
            self.model, {row.object_type_name for row in page.items}
        )
        return Connection.from_page(
            page, lambda row: RestoreRefusedRow.from_model(row, sensitive, names)
        )

    @classmethod
    def from_model(cls, restore: restores.Restore) -> Self:
        """`object_type` and `requested_by` must have been fetched."""
        requester = restore.requested_by if restore.requested_by_id else None
        return cls(
            id=strawberry.ID(str(restore.id)),
            kind=restore.kind,
            source=restore.source,
            status=restore.status,
            backup_id=strawberry.ID(str(restore.backup_id)) if restore.backup_id else None,
            file_name=restore.file_name or None,
            as_new_records=restore.as_new_records,
            reverts_id=strawberry.ID(str(restore.reverts_id)) if restore.reverts_id else None,
            object_type=restore.object_type.name if restore.object_type else None,
            properties=list(restore.properties),
            record_ids=None
            if restore.record_ids is None
            else [strawberry.ID(each) for each in restore.record_ids],
            comparison_id=strawberry.ID(str(restore.comparison_id))
            if restore.comparison_id
            else None,
            plan=RestorePlan.from_summary(
                restores.PlanSummary.model_validate(restore.plan), restore
            )
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


def _sensitive(restore: restores.Restore) -> frozenset[str]:
    """The properties the restore's plan found sensitive, whatever their object type."""
    if not restore.plan:
        return frozenset()
    planned = restores.PlanSummary.model_validate(restore.plan).objects
    return frozenset(prop.name for plan in planned for prop in plan.properties if prop.sensitive)
