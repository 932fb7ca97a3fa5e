"""Running one file import: claim the row, fetch and verify the uploaded file, apply its rows in
batches, record the outcome. (How claims make at-least-once delivery safe:
`services.job_claims`; what a batch does to each row: `services.import_rows`.)

Rows are read as a stream, a batch at a time, in a thread (decompressing and parsing must not
hold the event loop, which embedded mode shares with the API). A batch commits together with
the import's `rows_done`, so a job taken over after its worker died skips exactly the rows
already applied.
"""

import asyncio
import contextlib
import itertools
import logging
from collections import Counter
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from models.imports import Import, ImportStatus
from services import crm, storage
from services.activity import audit, notifications
from services.core import database, environment
from services.core.clock import now
from services.imports.files import REFUSALS, Upload, account_types, open_upload
from services.imports.rows import Outcome, Row, apply_batch
from services.jobs import progress as job_events
from services.jobs.claims import Claim, LostClaim, claim, release_for_retry
from services.jobs.progress import JobEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
BATCH_SIZE = 1_000


class RetryImport(Exception):
    """Raised to the job queue so that it delivers the import again after a back-off."""


@dataclass(frozen=True)
class FileProgress:
    object_type: str
    rows_done: int
    rows_total: int


def _scratch_path(work_dir: Path, job: Import) -> Path:
    return work_dir / f"import-{job.id}-{job.attempts}"


def _remove_earlier_scratch(work_dir: Path, job: Import) -> None:
    """An earlier attempt whose worker died on this machine left its copy behind."""
    current = _scratch_path(work_dir, job)
    for path in work_dir.glob(f"import-{job.id}-*"):
        if path != current:
            path.unlink(missing_ok=True)


def _take(rows: Iterator[Row], count: int) -> list[Row]:
    return list(itertools.islice(rows, count))


def _numbered(records: Iterator[tuple[str, dict[str, str]]]) -> Iterator[Row]:
    for number, (record_id, values) in enumerate(records, start=1):
        yield Row(number, record_id, values)


async def apply_rows(
    held: Claim[Import], upload: Upload, batch_size: int = BATCH_SIZE
) -> AsyncGenerator[FileProgress, None]:
    """Apply the file's rows after the first `rows_done`, a batch per transaction; yields
    after each batch commits and its change events are out."""
    job = held.row
    done = job.rows_done
    counts = Counter(job.counts)
    skip = done
    for file in upload.files:
        if skip >= file.rows:
            skip -= file.rows
            continue
        with contextlib.closing(upload.records(file)) as records:
            rows = itertools.islice(_numbered(records), skip, None)
            file_done, skip = skip, 0
            while batch := await asyncio.to_thread(_take, rows, batch_size):
                counts, changes = await apply_batch(held, file, batch, done, counts)
                done += len(batch)
                file_done += len(batch)
                await crm.publish_record_changes(job.account_id, changes)
                yield FileProgress(file.name, file_done, file.rows)


async def _open(stack: contextlib.ExitStack, held: Claim[Import], scratch: Path) -> Upload:
    job = held.row
    await storage.current().get_file(job.storage_key, scratch)
    types = await account_types(job.account_id)
    # Verifying reads the whole file: in a thread, with the lease renewed meanwhile.
    return await asyncio.to_thread(
        stack.enter_context, open_upload(scratch, job.object_type_name, types)
    )


async def _import(held: Claim[Import], scratch: Path) -> None:
    with contextlib.ExitStack() as stack:
        upload = await _open(stack, held, scratch)
        async with contextlib.aclosing(apply_rows(held, upload)) as batches:
            async for progress in batches:
                await held.progress(progress.object_type, progress.rows_done, progress.rows_total)


async def run_import(import_id: UUID) -> None:
    """The import job. Raises to ask for a retry while attempts remain."""
    held = await claim(Import, import_id)
    if held is None:
        log.info("Import %s is not waiting for a worker; nothing to do", import_id)
        return
    work_dir = environment.current().work_dir
    scratch = _scratch_path(work_dir, held.row)
    _remove_earlier_scratch(work_dir, held.row)
    try:
        async with held.renewing():
            await _import(held, scratch)
    except LostClaim:
        log.warning("Import %s was taken over by another worker", import_id)
        return
    except REFUSALS as refusal:
        # The file itself is refused: another attempt would refuse it again.
        await _finish(held, ImportStatus.FAILED, refusal.message)
        return
    except Exception as error:
        await _attempt_failed(held, error)
        return
    finally:
        scratch.unlink(missing_ok=True)
    await _finish(held, ImportStatus.SUCCEEDED)


async def _attempt_failed(held: Claim[Import], error: Exception) -> None:
    """Put the import back in the queue for a retry (it resumes after its last batch), or
    fail it for good after the last attempt."""
    reason = f"{type(error).__name__}: {error}"
    log.error("Import %s attempt %d failed: %s", held.row.id, held.attempt, reason, exc_info=error)
    if held.attempt < MAX_ATTEMPTS:
        await release_for_retry(held, reason)
        raise RetryImport(reason) from error
    await _finish(held, ImportStatus.FAILED, reason)


def summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(outcome.value, 0):,} {outcome.value}" for outcome in Outcome)


async def _finish(held: Claim[Import], status: ImportStatus, reason: str = "") -> None:
    job = held.row
    async with database.transaction():
        finished = await held.mine().update(
            status=status,
            failure_reason=reason,
            completed_at=now(),
            lease_expires_at=None,
            storage_key="",
        )
        if not finished:
            log.warning("Import %s was taken over before it could be marked done", job.id)
            return
        await job.refresh_from_db(fields=["counts"])
        action = "IMPORT_COMPLETED" if status == ImportStatus.SUCCEEDED else "IMPORT_FAILED"
        await audit.record_event(
            job.account_id,
            job.requested_by_id,
            action,
            target_type="import",
            target_id=job.id,
            counts=job.counts,
            **({"reason": reason} if reason else {}),
        )
    await storage.current().delete(job.storage_key)
    await job_events.publish(job.id, JobEvent(str(job.id), status.value))
    await _notify(job, status, reason)


async def _notify(job: Import, status: ImportStatus, reason: str) -> None:
    if status == ImportStatus.SUCCEEDED:
        kind, title, body = "IMPORT_COMPLETED", f"{job.name} is done", summary(job.counts) + "."
    else:
        kind, title, body = "IMPORT_FAILED", f"{job.name} failed", reason
    await notifications.notify_super_admins(
        job.account_id, kind, title, body, subject_id=str(job.id)
    )
