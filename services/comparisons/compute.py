"""A comparison's work, on a worker: open both sides, compare them type by type, sum it up."""

import contextlib
from uuid import UUID

from models.comparisons import ComparedRecord, Comparison
from services import backups, crm
from services.comparisons.engine import Progress, compare_sides
from services.comparisons.sides import Side, backup_side, live_side
from services.comparisons.summary import ComparisonSummary
from services.core.clock import now


async def compute(comparison: Comparison, progress: Progress) -> ComparisonSummary:
    """What changed from `comparison`'s first backup to its second (or to the records now);
    both backups fetched on the row."""
    # An attempt taken over after its worker died starts again.
    await ComparedRecord.filter(comparison_id=comparison.id).delete()
    summary = ComparisonSummary(from_snapshot_at=comparison.from_backup.snapshot_at)
    async with contextlib.AsyncExitStack() as files:
        before = backup_side(
            await files.enter_async_context(backups.backup_file(comparison.from_backup))
        )
        to_backup = comparison.to_backup
        if to_backup is None:
            # The records as they are read, type by type: no snapshot holds them still.
            summary.to_snapshot_at = now()
            after = await live_side(comparison.account_id)
        else:
            summary.to_snapshot_at = to_backup.snapshot_at
            after = backup_side(await files.enter_async_context(backups.backup_file(to_backup)))
        names = await _names(comparison.account_id, before, after)
        to_at = None if to_backup is None else to_backup.snapshot_at
        summary.objects = await compare_sides(comparison, (before, after), names, to_at, progress)
    return summary


async def _names(account_id: UUID, before: Side, after: Side) -> crm.Names:
    return await crm.names_of(account_id, before.keys() | after.keys())
