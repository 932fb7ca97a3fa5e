"""A comparison's differing records as a CSV (`object_type`, `record_id`, `change`,
`properties`: the changed ones, separated by `;`), through a short-lived signed link, streamed
in pages so memory does not grow with it; and which of some records it found, for a restore of
those."""

import csv
import io
from collections.abc import AsyncIterator, Sequence
from uuid import UUID

from models.comparisons import ComparedRecord, Comparison, ComparisonStatus, RecordChange
from services import activity
from services.core.errors import NotFound
from services.core.signing import DownloadLinks
from services.core.viewer import Viewer

LINKS = DownloadLinks("comparison-download")
CSV_HEADER = ["object_type", "record_id", "change", "properties"]
STREAM_PAGE = 1_000


def download_token(viewer: Viewer, comparison: Comparison) -> str | None:
    """A token for a link to the differing records, valid for minutes; None until the
    comparison succeeded."""
    if comparison.status != ComparisonStatus.SUCCEEDED:
        return None
    return LINKS.token(viewer, comparison.id)


async def open_download(token: str) -> Comparison:
    """The comparison a link points at, audit-logged as its records downloaded."""
    target = LINKS.target(token)
    comparison = await Comparison.get_or_none(id=target.object_id, account_id=target.account_id)
    if comparison is None:
        raise NotFound("No such comparison.")
    await activity.record_download(target, "COMPARISON_DOWNLOADED", "comparison")
    return comparison


def _encode(rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode()


async def csv_stream(comparison: Comparison) -> AsyncIterator[bytes]:
    """In the order the comparison found them: by object type, then record id."""
    yield _encode([CSV_HEADER])
    last: UUID | None = None
    while True:
        page = ComparedRecord.filter(comparison_id=comparison.id)
        if last is not None:
            page = page.filter(id__gt=last)
        found = await page.order_by("id").limit(STREAM_PAGE)
        if not found:
            return
        yield _encode(
            [
                [
                    each.object_type,
                    str(each.record_id),
                    each.change.value,
                    ";".join(each.properties),
                ]
                for each in found
            ]
        )
        last = found[-1].id


# What a restore of the records a comparison found takes from it.
TO_RESTORE = (RecordChange.CHANGED, RecordChange.DELETED, RecordChange.PURGED)


async def found_among(comparison_id: UUID, object_type: str, record_ids: Sequence[str]) -> set[str]:
    """Of `record_ids`, those the comparison found changed or removed in `object_type`."""
    found = ComparedRecord.filter(
        comparison_id=comparison_id,
        object_type=object_type,
        change__in=TO_RESTORE,
        record_id__in=[UUID(record_id) for record_id in record_ids],
    )
    return {str(record_id) for record_id in await found.values_list("record_id", flat=True)}
