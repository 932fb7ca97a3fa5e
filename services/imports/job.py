"""The file import job: fetch and verify the uploaded file, apply its rows in batches, record
the outcome. (Claiming, retries and the outcome's fence: `services.jobs.runner`; what a batch
does to each row: `services.imports.rows`.)

Rows are read as a stream, a batch at a time, in a thread (decompressing and parsing must not
hold the event loop, which embedded mode shares with the API). A batch commits together with
the import's `rows_done`, so a job taken over after its worker died skips exactly the rows
already applied.
"""

import asyncio
import contextlib
import itertools
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

from models.imports import Import
from services import jobs, storage
from services.activity import audit, notifications
from services.core import environment
from services.imports.files import REFUSALS, Upload, account_types, open_upload
from services.imports.rows import Outcome, Row, apply_batch

BATCH_SIZE = 1_000


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
    held: jobs.Claim[Import], upload: Upload, batch_size: int = BATCH_SIZE
) -> AsyncGenerator[FileProgress, None]:
    """Apply the file's rows after the first `rows_done`, a batch per transaction; yields
    after each batch commits."""
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
                counts = await apply_batch(held, file, batch, done, counts)
                done += len(batch)
                file_done += len(batch)
                yield FileProgress(file.name, file_done, file.rows)


async def _open(stack: contextlib.ExitStack, held: jobs.Claim[Import], scratch: Path) -> Upload:
    job = held.row
    await storage.current().get_file(job.storage_key, scratch)
    types = await account_types(job.account_id)
    # Verifying reads the whole file: in a thread, with the lease renewed meanwhile.
    return await asyncio.to_thread(
        stack.enter_context, open_upload(scratch, job.object_type_name, types)
    )


async def _import(held: jobs.Claim[Import], scratch: Path) -> None:
    with contextlib.ExitStack() as stack:
        upload = await _open(stack, held, scratch)
        async with contextlib.aclosing(apply_rows(held, upload)) as batches:
            async for progress in batches:
                await held.progress(progress.object_type, progress.rows_done, progress.rows_total)


class ImportJob(jobs.Job[Import]):
    kind = jobs.IMPORT_FILE
    fails_at_once = REFUSALS  # The file itself is refused: another attempt would refuse it again.
    failures = dict.fromkeys(fails_at_once, jobs.FailureCode.FILE_REFUSED)

    def __init__(self, held: jobs.Claim[Import]) -> None:
        super().__init__(held)
        self.scratch = _scratch_path(environment.current().work_dir, self.row)

    @contextlib.asynccontextmanager
    async def scratch_space(self) -> AsyncIterator[None]:
        _remove_earlier_scratch(self.scratch.parent, self.row)
        try:
            yield
        finally:
            self.scratch.unlink(missing_ok=True)

    async def work(self) -> None:
        # A retry resumes after the last batch committed.
        await _import(self.held, self.scratch)

    def failure_sentence(self, error: Exception, code: jobs.FailureCode) -> str:
        if isinstance(error, REFUSALS):
            return error.message  # Written for the user who sent the file.
        return super().failure_sentence(error, code)

    def outcome_columns(self, outcome: jobs.Outcome) -> jobs.Columns:
        # The uploaded file goes, whatever the outcome.
        return {"storage_key": ""}

    async def record_outcome(self, outcome: jobs.Outcome) -> None:
        job = self.row
        await job.refresh_from_db(fields=["counts"])
        await audit.record_event(
            job.account_id,
            job.requested_by_id,
            "IMPORT_COMPLETED" if outcome.succeeded else "IMPORT_FAILED",
            target_type="import",
            target_id=job.id,
            counts=job.counts,
            **outcome.failure_details(),
        )

    async def announce_outcome(self, outcome: jobs.Outcome) -> None:
        job = self.row
        await storage.current().delete(job.storage_key)
        if outcome.succeeded:
            kind, title, body = "IMPORT_COMPLETED", f"{job.name} is done", summary(job.counts) + "."
        else:
            kind, title, body = "IMPORT_FAILED", f"{job.name} failed", outcome.reason
        await notifications.notify_super_admins(
            job.account_id, kind, title, body, subject_id=str(job.id)
        )


def summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts.get(outcome.value, 0):,} {outcome.value}" for outcome in Outcome)


run_import = ImportJob.run
