"""Restores and their reverts: starting a plan under every guard, and listing them.
(Planning: `services.restores.plan`; applying: `services.restores.job`.)"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.accounts import Role
from models.backups import Backup
from models.restores import Restore, RestoreKind, RestoreSource, RestoreStatus
from services import accounts, activity, backups, jobs
from services.core.clock import now
from services.core.errors import DomainError, ErrorCode, NotFound, ValidationFailed
from services.core.ids import parse_id
from services.core.pagination import Page, paginate
from services.core.viewer import Viewer

# A plan describes the data as it was: one older than this is refused (PLAN_STALE), so what a
# super admin acknowledged is close to what happens.
PLAN_FRESH_FOR = timedelta(hours=1)
# A plan that was never started; one being computed is left to its job.
DISCARDABLE = (RestoreStatus.PLANNED, RestoreStatus.PLAN_FAILED)
# A restore can be reverted for this long after it finished (its saved values are kept).
REVERTIBLE_FOR = timedelta(days=14)


class RestoreInProgress(DomainError):
    code = ErrorCode.RESTORE_IN_PROGRESS


class PlanStale(DomainError):
    code = ErrorCode.PLAN_STALE


class PlanNotReady(DomainError):
    code = ErrorCode.PLAN_NOT_READY


@dataclass(frozen=True)
class Wording:
    """How the audit log, the imports list and notifications name each kind of restore."""

    # The audit actions' prefix, and the notifications' kinds': RESTORE, IMPORT.
    action: str
    notification_kind: str
    # The imports list's name: "Data restore - Deal", "Import - backup.zip".
    import_name: str
    notification_title: str

    def imported_as(self, restore: Restore) -> str:
        """`restore`'s entry in the imports list (its object type fetched)."""
        if restore.source == RestoreSource.FILE:
            return f"{self.import_name} - {restore.file_name}"
        assert restore.object_type is not None  # A backup's restore is of one type.
        return f"{self.import_name} - {restore.object_type.singular_label}"

    def described(self, restore: Restore) -> dict[str, object]:
        """What an audit entry says of `restore` (its object type fetched)."""
        source: dict[str, object] = (
            {"file_name": restore.file_name}
            if restore.source == RestoreSource.FILE
            else {"backup_id": str(restore.backup_id)}
        )
        return source | {
            "object_type": restore.object_type.name if restore.object_type else None,
            "properties": restore.properties,
            "reverts": str(restore.reverts_id) if restore.reverts_id else None,
        }


WORDING = {
    (RestoreKind.RESTORE, RestoreSource.BACKUP): Wording(
        "RESTORE", "RESTORE", "Data restore", "Data restore"
    ),
    (RestoreKind.REVERT, RestoreSource.BACKUP): Wording(
        "RESTORE_REVERT", "RESTORE", "Data restore reverted", "Revert of a data restore"
    ),
    (RestoreKind.RESTORE, RestoreSource.FILE): Wording("IMPORT", "IMPORT", "Import", "Import"),
    (RestoreKind.REVERT, RestoreSource.FILE): Wording(
        "IMPORT_REVERT", "IMPORT", "Import reverted", "Import reverted"
    ),
}


def wording(restore: Restore) -> Wording:
    return WORDING[restore.kind, restore.source]


async def audited(restore: Restore, actor_id: UUID | None, event: str, **details: object) -> None:
    """An audit entry about `restore` (its object type fetched): its wording's action with
    `event` ("STARTED", "PLANNED"...), what the restore is, and `details`."""
    words = wording(restore)
    await activity.record_event(
        restore.account_id,
        actor_id,
        f"{words.action}_{event}",
        target_type="restore",
        target_id=restore.id,
        **words.described(restore),
        **details,
    )


def _of_account(account_id: UUID) -> QuerySet[Restore]:
    return Restore.filter(account_id=account_id).select_related("object_type", "requested_by")


async def get_restore(viewer: Viewer, restore_id: str | UUID) -> Restore:
    viewer.require_role(Role.SUPER_ADMIN)
    restore = await _of_account(viewer.account_id).get_or_none(id=parse_id(restore_id))
    if restore is None:
        raise NotFound(f"No restore with the id {restore_id}.")
    return restore


async def list_restores(viewer: Viewer, first: int, after: str | None) -> Page[Restore]:
    """Plans, restores and reverts, newest first."""
    viewer.require_role(Role.SUPER_ADMIN)
    return await paginate(_of_account(viewer.account_id), first, after, newest_first=True)


def revert_deadline(restore: Restore) -> datetime | None:
    """Until when the restore can be reverted; None while it has not finished."""
    if restore.completed_at is None:
        return None
    return restore.completed_at + REVERTIBLE_FOR


async def check_revertible(restore: Restore, at: datetime) -> datetime:
    """Until when the restore can be reverted, if it can be at `at`; VALIDATION_FAILED saying
    why not otherwise. (A failed restore can be: it may have changed some records.)"""
    if restore.kind != RestoreKind.RESTORE:
        raise ValidationFailed("Only a restore can be reverted.", field="restoreId")
    deadline = revert_deadline(restore)
    if restore.status not in (RestoreStatus.SUCCEEDED, RestoreStatus.FAILED) or deadline is None:
        raise ValidationFailed("The restore has not finished yet.", field="restoreId")
    if deadline <= at:
        raise ValidationFailed(
            "The restore finished more than 14 days ago: it can no longer be reverted.",
            field="restoreId",
        )
    reverted = await Restore.filter(
        reverts_id=restore.id,
        status__in=[RestoreStatus.QUEUED, RestoreStatus.RUNNING, RestoreStatus.SUCCEEDED],
    ).exists()
    if reverted:
        raise ValidationFailed("The restore is reverted already.", field="restoreId")
    return deadline


async def revertible_until(restore: Restore) -> datetime | None:
    """Until when `planRevert` accepts the restore; None when it does not now."""
    try:
        return await check_revertible(restore, now())
    except ValidationFailed:
        return None


async def start(
    viewer: Viewer,
    plan_id: str | UUID,
    kind: RestoreKind,
    *,
    acknowledge_data_change: bool,
    acknowledge_irreversible: bool,
) -> Restore:
    """Queue a planned restore (or revert) for the worker: one active per account."""
    viewer.require_role(Role.SUPER_ADMIN)
    _check_acknowledged(acknowledge_data_change, acknowledge_irreversible)
    accounts.require_step_up(viewer)
    plan = await get_restore(viewer, plan_id)
    if plan.kind != kind:
        raise ValidationFailed(f"This plan is a {plan.kind.value.lower()}.", field="planId")
    _check_startable(plan.status)
    await _check_fresh(plan, now())
    try:
        async with jobs.queueing(jobs.APPLY_RESTORE) as queued:
            await _queue(queued, viewer, plan)
    except IntegrityError:
        # The partial unique index: one QUEUED or RUNNING restore per account.
        raise RestoreInProgress(
            "Another restore of this account is queued or running; wait until it finishes."
        ) from None
    return await get_restore(viewer, plan.id)


async def discard(viewer: Viewer, plan_id: str | UUID) -> Restore:
    """Put aside a plan that was not started (PLANNED or PLAN_FAILED): it is no longer offered,
    and its uploaded file goes with the other never-started ones. Discarding twice is fine."""
    viewer.require_role(Role.SUPER_ADMIN)
    plan = await get_restore(viewer, plan_id)
    discarded = await Restore.filter(id=plan.id, status__in=DISCARDABLE).update(
        status=RestoreStatus.PLAN_DISCARDED
    )
    if discarded:
        await audited(plan, viewer.user.id, "PLAN_DISCARDED")
        # Its progress stream, paused at PLANNED, ends here.
        status = RestoreStatus.PLAN_DISCARDED.value
        await jobs.publish_progress(plan.id, jobs.JobEvent(str(plan.id), status))
    elif plan.status != RestoreStatus.PLAN_DISCARDED:
        raise ValidationFailed("Only a plan that was not started can be discarded.", field="planId")
    return await get_restore(viewer, plan.id)


def _check_startable(status: RestoreStatus) -> None:
    if status in (RestoreStatus.PLAN_QUEUED, RestoreStatus.PLANNING):
        raise PlanNotReady("The plan is still being computed: start it once it is PLANNED.")
    if status == RestoreStatus.PLAN_FAILED:
        raise ValidationFailed("The plan failed (see its failureReason): plan again.")
    if status in (RestoreStatus.QUEUED, RestoreStatus.RUNNING):
        raise RestoreInProgress("This plan is queued or running already.")
    if status == RestoreStatus.PLAN_DISCARDED:
        raise ValidationFailed("This plan was discarded: plan again.", field="planId")
    if status != RestoreStatus.PLANNED:
        raise ValidationFailed("This plan was carried out already; plan again.", field="planId")


def _check_acknowledged(data_change: bool, irreversible: bool) -> None:
    missing = [
        name
        for name, given in (
            ("acknowledgeDataChange", data_change),
            ("acknowledgeIrreversible", irreversible),
        )
        if not given
    ]
    if missing:
        raise ValidationFailed(
            f"Acknowledge what the restore does: {' and '.join(missing)} must be true.",
            fields=missing,
        )


async def startable_until(plan: Restore) -> datetime | None:
    """Until when `start` takes a PLANNED plan: an hour after it was compared, and while its
    backup can be restored from or the restore it reverts can be reverted; None for any other
    plan, or once its backup expired."""
    if plan.status != RestoreStatus.PLANNED:
        return None
    fresh_until = _compared_at(plan) + PLAN_FRESH_FOR
    if plan.kind == RestoreKind.REVERT:
        source_until = revert_deadline(await Restore.get(id=plan.reverts_id))
    elif plan.backup_id is not None:
        source_until = backups.restorable_until(await Backup.get(id=plan.backup_id))
    else:
        return fresh_until  # An uploaded file does not expire.
    return None if source_until is None else min(fresh_until, source_until)


def _compared_at(plan: Restore) -> datetime:
    planned_at = plan.plan.get("planned_at")
    return datetime.fromisoformat(str(planned_at)) if planned_at else plan.created_at


async def _check_fresh(plan: Restore, at: datetime) -> None:
    if at - _compared_at(plan) > PLAN_FRESH_FOR:
        raise PlanStale(
            "The plan is more than an hour old and the data may have moved: plan again."
        )
    if plan.kind == RestoreKind.RESTORE:
        if plan.backup_id is None:
            return  # An uploaded file does not expire.
        # Planning again would not help: BACKUP_EXPIRED says why.
        backups.check_restorable(await Backup.get(id=plan.backup_id), at)
        return
    deadline = revert_deadline(await Restore.get(id=plan.reverts_id))
    if deadline is None or deadline <= at:
        raise PlanStale("The restore can no longer be reverted: its 14 days are over.")


async def _queue(queued: jobs.Queued[Restore], viewer: Viewer, plan: Restore) -> None:
    planned = Q(status=RestoreStatus.PLANNED)
    # Attempts, times and failures from here on are those of applying the plan.
    started = await queued.requeue(
        plan.id,
        planned,
        requested_by_id=viewer.user.id,
        attempts=0,
        started_at=None,
        completed_at=None,
        failure_reason="",
        failure_code="",
    )
    if not started:
        # The same plan started twice at once: the other request took it.
        raise RestoreInProgress("This plan was started by another request.")
    await audited(plan, viewer.user.id, "STARTED", acknowledged=["dataChange", "irreversible"])
