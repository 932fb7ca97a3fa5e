"""A restore of chosen records: the ids given, or the records a comparison found changed or
removed. Checked when planned; the source's batches keep only those records, a batch at a
time, so the plan and the restore that applies it see the same records."""

from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING
from uuid import UUID

from models.backups import Backup
from models.restores import Restore
from services import comparisons
from services.core.errors import ValidationFailed
from services.core.viewer import Viewer

if TYPE_CHECKING:  # The source imports this module.
    from services.restores.source import Targets

MAX_RECORD_IDS = 10_000


def checked_ids(record_ids: list[str]) -> list[str]:
    """The ids as stored: each once, in the form the backup's files write them."""
    if not record_ids:
        raise ValidationFailed(
            "Name one or more records, or leave recordIds out.", field="recordIds"
        )
    if len(record_ids) > MAX_RECORD_IDS:
        raise ValidationFailed(
            f"At most {MAX_RECORD_IDS} records; restore more through a comparison.",
            field="recordIds",
        )
    try:
        return list(dict.fromkeys(str(UUID(record_id)) for record_id in record_ids))
    except ValueError:
        raise ValidationFailed("recordIds holds a malformed id.", field="recordIds") from None


async def checked_comparison(
    viewer: Viewer, comparison_id: str | UUID, backup: Backup
) -> comparisons.Comparison:
    """A SUCCEEDED comparison of the account from the backup the restore is made from."""
    comparison = await comparisons.get_comparison(viewer, comparison_id)
    if comparison.status != comparisons.ComparisonStatus.SUCCEEDED:
        raise ValidationFailed("The comparison has not succeeded.", field="comparisonId")
    if comparison.from_backup_id != backup.id:
        raise ValidationFailed(
            "Restore from the backup the comparison starts from (its fromBackupId).",
            field="comparisonId",
        )
    return comparison


def limited(restore: Restore) -> bool:
    return restore.record_ids is not None or restore.comparison_id is not None


async def only_chosen(
    restore: Restore, object_type: str, batches: AsyncIterator["Targets"]
) -> AsyncGenerator["Targets", None]:
    """`batches` without the records the restore did not choose (a batch left empty is
    skipped)."""
    ids = set(restore.record_ids or ())
    async for batch in batches:
        if restore.comparison_id is not None:
            ids = await comparisons.found_among(
                restore.comparison_id, object_type, batch.record_ids
            )
        keep = [n for n, record_id in enumerate(batch.record_ids) if record_id in ids]
        if keep:
            yield batch.only(keep)
