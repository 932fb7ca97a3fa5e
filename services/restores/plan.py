"""Planning a restore of some properties of one object type from a backup, or the revert of a
restore: what applying it would change, counted without writing anything.

`plan_restore` and `plan_revert` check what can be checked at once and queue the plan's job
(`services.restores.plan_job`), which runs `compute`: backup values and current ones are
compared a batch of records at a time, so memory stays flat whatever the size of the type, and
no HTTP request waits for it. The plan is stored on a PLANNED restore, which `startRestore` /
`revertRestore` queue once acknowledged.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from models.accounts import Role
from models.crm import ObjectType, Record
from models.restores import Restore, RestoreChange, RestoreKind, RestoreStatus
from services import backups, jobs
from services.core.clock import now
from services.core.errors import DomainError, ErrorCode, ValidationFailed
from services.core.viewer import Viewer
from services.crm import get_object_type, properties_by_name
from services.restores import service as restores
from services.restores.count import Example, count_batch
from services.restores.source import Targets, backup_batches, backup_file, change_batches, entry_for

# Conversations are system-managed threads: their values are not the account's to set.
NOT_RESTORABLE_TYPES = frozenset({"conversations"})
MAX_SAMPLES = 20
# A restore's statuses before it is started.
PLAN_STATUSES = frozenset(jobs.PLAN_RESTORE.statuses.active) | {
    RestoreStatus.PLANNED,
    RestoreStatus.PLAN_FAILED,
}


class NotRestorable(DomainError):
    code = ErrorCode.NOT_RESTORABLE


class NotInBackup(ValidationFailed):
    """The plan asks for what the backup's file does not hold (found by the plan's job)."""


# What a plan's job reports as it goes: object type, records compared, records in the source.
Progress = Callable[[str, int, int], Awaitable[None]]


class PropertyPlan(BaseModel):
    name: str
    label: str
    sensitive: bool
    to_change: int = 0
    # Blank in the source, set now.
    to_clear: int = 0
    unchanged: int = 0


class SampleChange(BaseModel):
    record_id: UUID
    property: str
    # Both None when the property is sensitive.
    current: str | None
    target: str | None
    redacted: bool


class PlanSummary(BaseModel):
    """What the plan found; stored as the restore's `plan`."""

    # When the values to restore were taken: the backup's snapshot, or the restore's end.
    values_as_of: datetime
    # When the comparison ended: the plan goes stale an hour later.
    planned_at: datetime | None = None
    records_in_source: int = 0
    records_to_change: int = 0
    records_unchanged: int = 0
    # Records of the source that no longer exist: left alone (guidance says how to recover).
    records_deleted: int = 0
    records_purged: int = 0
    # Live records the backup does not hold: left alone.
    records_created_since: int = 0
    # A revert's records changed again since the restore: left alone.
    conflicts: int = 0
    conflicting_record_ids: list[UUID] = []
    properties: list[PropertyPlan]
    samples: list[SampleChange] = []
    guidance: list[str] = []
    # What `acknowledgeDataChange` and `acknowledgeIrreversible` acknowledge.
    data_change_notice: str = ""
    irreversible_notice: str = ""


class _Planner:
    def __init__(self, object_type: ObjectType, properties: list[PropertyPlan], as_of: datetime):
        self.object_type = object_type
        self.names = [prop.name for prop in properties]
        self.summary = PlanSummary(values_as_of=as_of, properties=properties)

    async def add(self, batch: Targets) -> None:
        summary = self.summary
        counts = await count_batch(
            self.object_type.id,
            self.names,
            batch,
            conflicts=MAX_SAMPLES - len(summary.conflicting_record_ids),
            examples=MAX_SAMPLES - len(summary.samples),
        )
        summary.records_in_source += len(batch)
        summary.records_purged += counts.records_purged
        summary.records_deleted += counts.records_deleted
        summary.records_unchanged += counts.records_unchanged
        summary.records_to_change += counts.records_to_change
        summary.conflicts += counts.conflicts
        summary.conflicting_record_ids.extend(counts.conflicting_record_ids)
        for prop, counted in zip(summary.properties, counts.properties, strict=True):
            prop.to_change += counted.to_change
            prop.to_clear += counted.to_clear
            prop.unchanged += counted.unchanged
        for example in counts.examples:
            self._sample(example)

    def _sample(self, example: Example) -> None:
        """A sample per changed property of the record, while there is room."""
        samples = self.summary.samples
        for prop, current, target in zip(
            self.summary.properties, example.current, example.target, strict=True
        ):
            if current == target or len(samples) >= MAX_SAMPLES:
                continue
            samples.append(
                SampleChange(
                    record_id=example.record_id,
                    property=prop.name,
                    current=None if prop.sensitive else current,
                    target=None if prop.sensitive else target,
                    redacted=prop.sensitive,
                )
            )

    async def finish(self, kind: RestoreKind) -> PlanSummary:
        summary = self.summary
        plural = self.object_type.plural_label.lower()
        if kind == RestoreKind.RESTORE:
            live = await Record.filter(
                object_type_id=self.object_type.id, deleted_at__isnull=True
            ).count()
            matched = summary.records_unchanged + summary.records_to_change + summary.conflicts
            summary.records_created_since = live - matched
        summary.guidance = _guidance(summary, plural)
        labels = ", ".join(prop.label for prop in summary.properties)
        summary.data_change_notice = (
            f"{labels}: the values of {summary.records_to_change} {plural} are replaced with "
            f"those of {summary.values_as_of:%Y-%m-%d %H:%M} UTC; changes made since to these "
            "properties are overwritten."
        )
        summary.irreversible_notice = IRREVERSIBLE
        summary.planned_at = now()
        return summary


IRREVERSIBLE = (
    "Every changed record is announced to workflows and integrations, which may act on it "
    "(re-enrolment, emails): that cannot be undone. A restore's values can be put back with "
    "revertRestore for 14 days, on the records not changed again since."
)


def _guidance(summary: PlanSummary, plural: str) -> list[str]:
    lines = []
    if summary.records_deleted:
        lines.append(
            f"{summary.records_deleted} {plural} are in the recycle bin and are left there: "
            "restore them from it (restoreDeletedRecords), then plan again to restore their "
            "values too."
        )
    if summary.records_purged:
        lines.append(
            f"{summary.records_purged} {plural} were deleted permanently and are not recreated: "
            "import them from the backup file (imports) to bring them back."
        )
    if summary.records_created_since:
        lines.append(
            f"{summary.records_created_since} {plural} created since the backup are left "
            "as they are."
        )
    if summary.conflicts:
        lines.append(
            f"{summary.conflicts} {plural} changed again since the restore and are left as they "
            "are; the others get their previous values back."
        )
    return lines


async def plan_restore(
    viewer: Viewer, backup_id: str | UUID, object_type: str, properties: list[str]
) -> Restore:
    """Queue the plan of restoring `properties` of `object_type` from the backup."""
    viewer.require_role(Role.SUPER_ADMIN)
    backup = await backups.get_backup(viewer, backup_id)
    backups.check_usable(backup, now())
    if object_type in NOT_RESTORABLE_TYPES:
        raise NotRestorable(f"{object_type} cannot be restored: they are managed by the system.")
    current_type = await get_object_type(viewer.account_id, object_type)
    names = _checked_names(properties)
    if object_type not in backup.object_counts:
        raise ValidationFailed(f"The backup holds no {object_type}.", field="objectType")
    return await _queue(viewer, RestoreKind.RESTORE, backup.id, current_type, names)


def _checked_names(properties: list[str]) -> list[str]:
    names = list(dict.fromkeys(name.strip() for name in properties))
    if not names or "" in names:
        raise ValidationFailed("Name one or more properties to restore.", field="properties")
    return names


async def plan_revert(viewer: Viewer, restore_id: str | UUID) -> Restore:
    """Queue the plan of putting back the values a restore overwrote, where they have not
    changed since."""
    original = await restores.get_restore(viewer, restore_id)
    await restores.check_revertible(original, now())
    current_type = await get_object_type(viewer.account_id, original.object_type.name)
    return await _queue(
        viewer,
        RestoreKind.REVERT,
        original.backup_id,
        current_type,
        original.properties,
        reverts=original,
    )


async def _queue(
    viewer: Viewer,
    kind: RestoreKind,
    backup_id: UUID,
    object_type: ObjectType,
    names: list[str],
    *,
    reverts: Restore | None = None,
) -> Restore:
    async with jobs.queueing(jobs.PLAN_RESTORE) as queued:
        plan = await queued.create(
            account_id=viewer.account_id,
            kind=kind,
            backup_id=backup_id,
            reverts=reverts,
            object_type=object_type,
            properties=names,
            requested_by=viewer.user,
        )
    return await restores.get_restore(viewer, plan.id)


async def compute(plan: Restore, progress: Progress) -> PlanSummary:
    """The plan of `plan` (object type and backup fetched), reporting progress per batch."""
    if plan.kind == RestoreKind.REVERT:
        return await _compute_revert(plan, progress)
    return await _compute_restore(plan, progress)


async def _compute_restore(plan: Restore, progress: Progress) -> PlanSummary:
    object_type = plan.object_type
    async with backup_file(plan.backup, object_type.name) as reader:
        entry = entry_for(reader, object_type.name)
        if entry is None:
            raise NotInBackup(f"The backup holds no {object_type.name}.", field="objectType")
        in_backup = {prop.name: prop for prop in entry.properties}
        unknown = [name for name in plan.properties if name not in in_backup]
        if unknown:
            raise NotInBackup(
                f"Not in the backup's {object_type.name}: {', '.join(unknown)}.",
                field="properties",
                unknown=unknown,
            )
        now_defined = properties_by_name(object_type)
        planned = [
            PropertyPlan(
                name=name,
                label=in_backup[name].label,
                sensitive=in_backup[name].sensitive
                or (name in now_defined and now_defined[name].sensitive),
            )
            for name in plan.properties
        ]
        planner = _Planner(object_type, planned, reader.manifest.snapshot_at)
        batches = backup_batches(reader, entry, plan.properties)
        await _add_all(planner, batches, progress, entry.rows)
    return await planner.finish(RestoreKind.RESTORE)


async def _compute_revert(plan: Restore, progress: Progress) -> PlanSummary:
    original = await Restore.get(id=plan.reverts_id)
    finished_at = original.completed_at
    assert finished_at is not None  # `plan_revert` takes finished restores only.
    now_defined = properties_by_name(plan.object_type)
    planned = [
        PropertyPlan(
            name=name,
            label=now_defined[name].label if name in now_defined else name,
            sensitive=name in now_defined and now_defined[name].sensitive,
        )
        for name in plan.properties
    ]
    planner = _Planner(plan.object_type, planned, finished_at)
    total = await RestoreChange.filter(restore_id=original.id).count()
    await _add_all(planner, change_batches(original.id, plan.properties), progress, total)
    return await planner.finish(RestoreKind.REVERT)


async def _add_all(
    planner: _Planner, batches: AsyncIterator[Targets], progress: Progress, total: int
) -> None:
    async for batch in batches:
        await planner.add(batch)
        await progress(planner.object_type.name, planner.summary.records_in_source, total)
