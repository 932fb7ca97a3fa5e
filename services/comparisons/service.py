"""Asking for a comparison (its job does the work) and reading one back."""

from uuid import UUID

from models.accounts import Role
from models.backups import Backup
from models.comparisons import Comparison
from services import activity, backups, jobs
from services.core.clock import now
from services.core.errors import NotFound, ValidationFailed
from services.core.ids import parse_id
from services.core.pagination import Page, paginate
from services.core.viewer import Viewer


async def compare_backups(
    viewer: Viewer, from_backup_id: str | UUID, to_backup_id: str | UUID | None
) -> Comparison:
    """Queue the comparison of a backup with a later one, or (`to_backup_id` None) with the
    account's records now."""
    viewer.require_role(Role.SUPER_ADMIN)
    before = await _usable(viewer, from_backup_id)
    after = None if to_backup_id is None else await _usable(viewer, to_backup_id)
    if after is not None and not _earlier(before, after):
        raise ValidationFailed(
            "Compare a backup with a later one: toBackupId must be taken after fromBackupId.",
            field="toBackupId",
        )
    async with jobs.queueing(jobs.COMPARE_BACKUPS) as queued:
        comparison = await queued.create(
            account_id=viewer.account_id,
            from_backup=before,
            to_backup=after,
            requested_by=viewer.user,
        )
        await activity.record_event(
            viewer.account_id,
            viewer.user.id,
            "COMPARISON_REQUESTED",
            target_type="comparison",
            target_id=comparison.id,
            fromBackupId=str(before.id),
            toBackupId=str(after.id) if after else None,
        )
    return await get_comparison(viewer, comparison.id)


async def _usable(viewer: Viewer, backup_id: str | UUID) -> Backup:
    backup = await backups.get_backup(viewer, backup_id)
    backups.check_usable(backup, now())
    return backup


def _earlier(before: Backup, after: Backup) -> bool:
    assert before.snapshot_at is not None and after.snapshot_at is not None  # Both SUCCEEDED.
    return before.snapshot_at < after.snapshot_at


async def get_comparison(viewer: Viewer, comparison_id: str | UUID) -> Comparison:
    viewer.require_role(Role.SUPER_ADMIN)
    comparison = await Comparison.get_or_none(
        id=parse_id(comparison_id), account_id=viewer.account_id
    )
    if comparison is None:
        raise NotFound(f"No comparison with the id {comparison_id}.")
    return comparison


async def list_comparisons(viewer: Viewer, first: int, after: str | None) -> Page[Comparison]:
    """Comparisons asked for and those made after each backup, newest first."""
    viewer.require_role(Role.SUPER_ADMIN)
    return await paginate(
        Comparison.filter(account_id=viewer.account_id), first, after, newest_first=True
    )
