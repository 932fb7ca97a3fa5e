"""Planning a restore (from a backup or an uploaded file) or the revert of one: what applying it
would change, counted without writing a record.

`plan_restore`, `plan_file_restore` and `plan_revert` check what can be checked at once and
queue the plan's job (`services.restores.plan_job`), which runs `compute`: the source and the
records are compared a batch at a time, so memory stays flat whatever the size of the source,
and no HTTP request waits for it. The plan is stored on a PLANNED restore, which
`startRestore` / `revertRestore` queue once acknowledged.
"""

import asyncio
import functools
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import UUID

from models.accounts import Role
from models.crm import ObjectType, Record
from models.ids import new_id
from models.restores import Restore, RestoreKind, RestoreRefusal, RestoreSource, RestoreStatus
from services import activity, backups, jobs, storage
from services.core.clock import now
from services.core.errors import DomainError, ErrorCode, ValidationFailed
from services.core.viewer import Viewer
from services.crm import get_object_type, properties_by_name
from services.imports import account_types, inspect_upload, shown_file_name
from services.restores import associations, chosen, staged
from services.restores import batch as batches
from services.restores import service as restores
from services.restores.count import Example, PropertyCounts
from services.restores.source import Part, Targets, source_of
from services.restores.summary import ObjectPlan, PlanSummary, PropertyPlan, SampleChange
from services.restores.triage import Refused

# Conversations are system-managed threads: their values are not the account's to set.
NOT_RESTORABLE_TYPES = frozenset({"conversations"})
MAX_SAMPLES = 20
# Batches counted at once.
IN_FLIGHT = 2
# A restore's statuses before it is started.
PLAN_STATUSES = frozenset(jobs.PLAN_RESTORE.statuses.active) | {
    RestoreStatus.PLANNED,
    RestoreStatus.PLAN_FAILED,
    RestoreStatus.PLAN_DISCARDED,
}


def restorable(object_type: str) -> bool:
    """Whether records of `object_type` can be restored at all."""
    return object_type not in NOT_RESTORABLE_TYPES


class NotRestorable(DomainError):
    code = ErrorCode.NOT_RESTORABLE


# What a plan's job reports as it goes: object type, records compared, records in the part.
Progress = Callable[[str, int, int], Awaitable[None]]


# Asking for a plan.


async def plan_restore(
    viewer: Viewer,
    backup_id: str | UUID,
    object_type: str,
    properties: list[str],
    *,
    record_ids: list[str] | None = None,
    comparison_id: str | UUID | None = None,
) -> Restore:
    """Queue the plan of restoring `properties` of `object_type` from the backup: on every
    record, or only on `record_ids`, or on the records the comparison found changed or removed."""
    viewer.require_role(Role.SUPER_ADMIN)
    backup = await backups.get_backup(viewer, backup_id)
    backups.check_restorable(backup, now())
    _check_restorable(object_type)
    current_type = await get_object_type(viewer.account_id, object_type)
    names = _checked_names(properties)
    if object_type not in backup.object_counts:
        raise ValidationFailed(f"The backup holds no {object_type}.", field="objectType")
    if record_ids is not None and comparison_id is not None:
        raise ValidationFailed("Give recordIds or comparisonId, not both.", field="recordIds")
    return await _queue(
        viewer,
        RestoreKind.RESTORE,
        backup_id=backup.id,
        object_type=current_type,
        properties=names,
        record_ids=None if record_ids is None else chosen.checked_ids(record_ids),
        comparison=None
        if comparison_id is None
        else await chosen.checked_comparison(viewer, comparison_id, backup),
    )


def _check_restorable(object_type: str) -> None:
    if not restorable(object_type):
        raise NotRestorable(f"{object_type} cannot be restored: they are managed by the system.")


def _checked_names(properties: list[str]) -> list[str]:
    names = list(dict.fromkeys(name.strip() for name in properties))
    if not names or "" in names:
        raise ValidationFailed("Name one or more properties to restore.", field="properties")
    return names


async def plan_file_restore(
    viewer: Viewer,
    upload: Path,
    file_name: str,
    object_type_name: str = "",
    *,
    as_new_records: bool = False,
) -> Restore:
    """Store an uploaded backup ZIP (or a CSV of `object_type_name`) and queue the plan of
    restoring from it, after the quick checks: nothing is written to the records until the
    plan is started. The plan's job reads the whole file, checking it as it goes.
    `as_new_records`: every row is to become a new record with a new id, so a backup of
    another account is taken too."""
    viewer.require_role(Role.SUPER_ADMIN)
    types = await account_types(viewer.account_id)
    if object_type_name:
        _check_restorable(object_type_name)
    owner = None if as_new_records else viewer.account_id
    await asyncio.to_thread(inspect_upload, upload, object_type_name, types, owner)
    files = storage.current()
    restore_id = new_id()
    key = storage.import_key(viewer.account_id, restore_id)
    await files.put_file(key, upload)
    async with jobs.queueing(
        jobs.PLAN_RESTORE, undo=functools.partial(files.delete, key)
    ) as queued:
        plan = await queued.create(
            id=restore_id,
            account_id=viewer.account_id,
            kind=RestoreKind.RESTORE,
            source=RestoreSource.FILE,
            file_key=key,
            file_name=shown_file_name(file_name),
            as_new_records=as_new_records,
            object_type=types[object_type_name] if object_type_name else None,
            requested_by=viewer.user,
        )
        await activity.record_event(
            viewer.account_id,
            viewer.user.id,
            "IMPORT_UPLOADED",
            target_type="restore",
            target_id=plan.id,
            name=plan.file_name,
        )
    return await restores.get_restore(viewer, plan.id)


async def plan_revert(viewer: Viewer, restore_id: str | UUID) -> Restore:
    """Queue the plan of putting back what a restore changed, where it has not changed since."""
    original = await restores.get_restore(viewer, restore_id)
    await restores.check_revertible(original, now())
    return await _queue(
        viewer,
        RestoreKind.REVERT,
        backup_id=original.backup_id,
        object_type=original.object_type,
        properties=original.properties,
        source=original.source,
        file_name=original.file_name,
        reverts=original,
    )


async def _queue(viewer: Viewer, kind: RestoreKind, **columns: object) -> Restore:
    async with jobs.queueing(jobs.PLAN_RESTORE) as queued:
        plan = await queued.create(
            account_id=viewer.account_id, kind=kind, requested_by=viewer.user, **columns
        )
    return await restores.get_restore(viewer, plan.id)


# Computing it, on a worker.


class _Planner:
    def __init__(self, plan: Restore, summary: PlanSummary) -> None:
        self.plan = plan
        self.summary = summary

    async def add(self, part: Part, progress: Progress) -> None:
        planned = _object_plan(part)
        self.summary.objects.append(planned)
        # Counted a batch ahead: the next batch's statement runs while this one's counts are
        # added up, and they are added in the source's order.
        ahead: deque[tuple[Targets, asyncio.Future[batches.Counted]]] = deque()
        try:
            async for batch in part.batches:
                assert isinstance(batch, Targets)  # A plan reads its source: nothing is staged.
                if len(ahead) == IN_FLIGHT:
                    await self._add_counted(part, planned, *ahead.popleft(), progress)
                ahead.append((batch, asyncio.ensure_future(self._count(part, batch))))
            while ahead:
                await self._add_counted(part, planned, *ahead.popleft(), progress)
        finally:
            for _, counting in ahead:
                counting.cancel()
            await asyncio.gather(*(counting for _, counting in ahead), return_exceptions=True)
        plan = self.plan
        # A restore of chosen records says nothing of the others.
        everyone = not chosen.limited(plan)
        if plan.kind == RestoreKind.RESTORE and plan.source == RestoreSource.BACKUP and everyone:
            planned.records_created_since = await _created_since(part.object_type, planned)

    def _count(self, part: Part, batch: Targets) -> Awaitable[batches.Counted]:
        summary = self.summary
        return batches.count(
            self.plan,
            part,
            batch,
            conflicts=MAX_SAMPLES - len(summary.conflicting_record_ids),
            examples=MAX_SAMPLES - len(summary.samples),
        )

    async def _add_counted(
        self,
        part: Part,
        planned: ObjectPlan,
        batch: Targets,
        counting: Awaitable[batches.Counted],
        progress: Progress,
    ) -> None:
        counted = await counting
        summary = self.summary
        live = counted.live
        planned.records_in_source += len(batch)
        planned.records_purged += live.records_purged
        planned.records_deleted += live.records_deleted
        planned.records_unchanged += live.records_unchanged
        planned.records_to_change += live.records_to_change + counted.extra_changes
        planned.conflicts += live.conflicts + counted.extra_conflicts
        planned.records_to_bring_back += counted.brought_back
        planned.records_to_recreate += counted.recreated
        planned.records_refused += len(counted.refused)
        # Asked for a batch ahead, a batch may bring more than there is room for.
        room = MAX_SAMPLES - len(summary.conflicting_record_ids)
        summary.conflicting_record_ids.extend(live.conflicting_record_ids[:room])
        count = len(planned.properties)
        by_live = live.properties or [PropertyCounts()] * count
        extras = counted.extra_properties or [[0, 0, 0]] * count
        for prop, of_live, (to_change, to_clear, unchanged) in zip(
            planned.properties, by_live, extras, strict=True
        ):
            prop.to_change += of_live.to_change + to_change
            prop.to_clear += of_live.to_clear + to_clear
            prop.unchanged += of_live.unchanged + unchanged
        for example in live.examples:
            self._sample(planned, example)
        await _store_refused(self.plan.id, part, counted.refused)
        await progress(part.object_type.name, planned.records_in_source, part.rows)

    def _sample(self, planned: ObjectPlan, example: Example) -> None:
        """A sample per changed property of the record, while there is room. A sensitive
        property is counted but not sampled: a sample of it could show nothing."""
        samples = self.summary.samples
        for prop, current, target in zip(
            planned.properties, example.current, example.target, strict=True
        ):
            if prop.sensitive or current == target or len(samples) >= MAX_SAMPLES:
                continue
            samples.append(
                SampleChange(
                    record_id=example.record_id,
                    object_type=planned.object_type,
                    property=prop.name,
                    current=current,
                    target=target,
                )
            )


def _object_plan(part: Part) -> ObjectPlan:
    object_type = part.object_type
    now_defined = properties_by_name(object_type)
    return ObjectPlan(
        object_type=object_type.name,
        label=object_type.plural_label,
        singular_label=object_type.singular_label,
        properties=[
            PropertyPlan(
                name=name,
                label=part.labels.get(name)
                or (now_defined[name].label if name in now_defined else name),
                sensitive=name in part.sensitive
                or (name in now_defined and now_defined[name].sensitive),
            )
            for name in part.names
        ],
    )


async def _created_since(object_type: ObjectType, planned: ObjectPlan) -> int:
    """Live records of the type that the backup does not hold."""
    live = await Record.filter(object_type_id=object_type.id, deleted_at__isnull=True).count()
    return live - (planned.records_unchanged + planned.records_to_change + planned.conflicts)


async def _store_refused(plan_id: UUID, part: Part, refused: list[Refused]) -> None:
    if refused:
        await RestoreRefusal.bulk_create(
            RestoreRefusal(
                restore_id=plan_id,
                object_type_name=part.object_type.name,
                row_number=row.row_number,
                record_id=row.record_id,
                values=row.values,
                reason=row.reason,
            )
            for row in refused
        )


async def compute(plan: Restore, progress: Progress) -> PlanSummary:
    """The plan of `plan` (object type and backup fetched), reporting progress per batch."""
    # An attempt taken over after its worker died starts again.
    await RestoreRefusal.filter(restore_id=plan.id).delete()
    await staged.forget(plan.id)
    async with source_of(plan) as source:
        planner = _Planner(plan, PlanSummary(values_as_of=source.values_as_of))
        async for part in source.parts:
            await planner.add(part, progress)
        async for batch in source.associations:
            planner.summary.add_associations(await associations.count(plan.account_id, batch))
    summary = planner.summary
    summary.total()
    summary.word(plan.kind, plan.source, plan.as_new_records)
    summary.planned_at = now()
    return summary
