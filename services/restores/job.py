"""The restore (or revert) job: apply the values batch by batch, record the outcome.
(Claiming, retries and the outcome's fence: `services.jobs.runner`.)

Each batch commits in one transaction with its saved changes, its change events (sent by the
outbox's relay) and the restore's running counts, fenced by the claim: a worker that died
mid-batch left nothing of it, and the next attempt resumes after the last committed batch, so
no batch is ever applied twice. Two batches are in flight at once (their records are
distinct), but they commit in order, and each writes its change events only once the one before
it committed: the outbox's ids then follow the order of the commits (`services.crm.outbox`).

A restore from a file reads, on PostgreSQL, what its plan staged (`services.restores.staged`)
rather than the file, when all of it is there, and writes several of its batches in one
transaction; together they count as that many batches, so that an attempt resumed from the file
(the staged rows lost) skips exactly the rows committed.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import ClassVar

from tortoise.backends.base.client import BaseDBAsyncClient

from models.imports import Import, ImportSource, ImportStatus
from models.restores import Restore, RestoreKind, RestoreSource
from services import crm, jobs
from services.activity import notifications
from services.backups import CorruptBackup, UnsafeFile
from services.core import database
from services.core.text import plural
from services.crm import ChangeSource, RecordChange
from services.imports import FileRefused
from services.restores import associations, staged
from services.restores import batch as batches
from services.restores.diff import AppliedCounts, BatchResult
from services.restores.service import audited, wording
from services.restores.source import (
    AssociationBatch,
    Part,
    Source,
    StagedRows,
    Targets,
    source_of,
)
from services.restores.uploads import forget_upload

# Batches applied at once: the next one's statement runs while this one commits, so neither
# the database nor the worker waits for the other.
IN_FLIGHT = 2
# Batches of a file's staged rows written in one transaction. Each transaction costs about
# the same whatever its size (its statement's set-up, the outbox's lock and row, the relay's
# publication, the claim's fence, the commit), and no row of a staged batch passes through the
# worker, so joining them costs it no memory.
STAGED_PER_COMMIT = 10


@dataclass(frozen=True)
class _Progress:
    """Where a part starts in the records read, for its progress."""

    part: Part
    read_before: int


@dataclass(frozen=True)
class _Step:
    """What one transaction writes: a batch of the source's (or several staged ones, joined),
    numbered by its first in the source's order; `at` is None for associations."""

    number: int
    at: _Progress | None
    batch: Targets | StagedRows | AssociationBatch

    @property
    def records(self) -> int:
        return 0 if isinstance(self.batch, AssociationBatch) else len(self.batch)

    @property
    def batches(self) -> int:
        """The source's batches it holds: what it counts for in `batches_done`."""
        return self.batch.batches if isinstance(self.batch, StagedRows) else 1

    def joined(self, step: "_Step") -> "_Step | None":
        """This step and the next one as one, when both are staged rows of the same part and
        there is room; else None."""
        ours, theirs = self.batch, step.batch
        if not (
            isinstance(ours, StagedRows)
            and isinstance(theirs, StagedRows)
            and step.at is self.at
            and ours.batches + theirs.batches <= STAGED_PER_COMMIT
        ):
            return None
        return _Step(self.number, self.at, ours.joined(theirs))


class RestoreJob(jobs.Job[Restore]):
    kind = jobs.APPLY_RESTORE
    # A damaged or missing backup, or a refused file: every attempt reads the same.
    fails_at_once = (CorruptBackup, FileRefused, UnsafeFile)
    failures: ClassVar[Mapping[type[Exception], jobs.FailureCode]] = {
        CorruptBackup: jobs.FailureCode.BACKUP_FILE_DAMAGED,
        FileRefused: jobs.FailureCode.FILE_REFUSED,
        UnsafeFile: jobs.FailureCode.FILE_REFUSED,
    }

    def __init__(self, held: jobs.Claim[Restore]) -> None:
        super().__init__(held)
        # What the batches committed so far did, this attempt's and those before it.
        self.counts = AppliedCounts.model_validate(self.row.counts)

    async def work(self) -> None:
        await self.row.fetch_related("object_type__properties", "backup")
        committed: asyncio.Future[AppliedCounts] = asyncio.get_running_loop().create_future()
        committed.set_result(self.counts)
        in_flight: deque[tuple[_Progress, asyncio.Future[AppliedCounts]]] = deque()
        try:
            async with await _source(self.row) as source:
                async for step in self._steps(source, self.counts.batches_done):
                    if step.at is None:
                        # Associations: read and written once every batch before is in.
                        await self._report_all(in_flight)
                    elif len(in_flight) == IN_FLIGHT:
                        await self._report(*in_flight.popleft())
                    committed = asyncio.ensure_future(self._commit(step, committed))
                    if step.at is None:
                        await committed
                    else:
                        in_flight.append((step.at, committed))
                await self._report_all(in_flight)
        finally:
            for _, task in in_flight:
                task.cancel()
            await asyncio.gather(*(task for _, task in in_flight), return_exceptions=True)

    async def _steps(self, source: Source, done: int) -> AsyncIterator[_Step]:
        """The transactions still to write: a resumed attempt reads the source again from the
        start, and its order is stable, so the batches committed before are exactly the first
        `done`. Staged batches are joined from there on, so a join never straddles them."""
        number = 0
        held: _Step | None = None
        async for at, batch in self._batches(source):
            step = _Step(number, at, batch)
            number += 1
            if step.number < done:
                continue
            if held is not None:
                if joined := held.joined(step):
                    held = joined
                    continue
                yield held
                held = None
            if isinstance(batch, StagedRows):
                held = step
            else:
                yield step
        if held is not None:
            yield held

    async def _batches(
        self, source: Source
    ) -> AsyncIterator[tuple[_Progress | None, Targets | StagedRows | AssociationBatch]]:
        """The source's batches in their stable order, each with where its part starts (None
        for associations). A restore adds associations after every record (the two records of
        one may be in different parts); a revert removes them first (records it deletes again
        would take theirs along, uncounted)."""
        revert = self.row.kind == RestoreKind.REVERT
        if revert:
            async for removed in source.associations:
                yield None, removed
        read = 0
        async for part in source.parts:
            at = _Progress(part, read)
            async for batch in part.batches:
                read += len(batch)
                yield at, batch
        if not revert:
            async for added in source.associations:
                yield None, added

    async def _report(self, at: _Progress, committed: asyncio.Future[AppliedCounts]) -> None:
        counts = await committed
        done = min(counts.records_read - at.read_before, at.part.rows)
        await self.held.progress(at.part.object_type.name, done, at.part.rows)

    async def _report_all(
        self, in_flight: deque[tuple[_Progress, asyncio.Future[AppliedCounts]]]
    ) -> None:
        while in_flight:
            await self._report(*in_flight.popleft())

    async def _write(self, connection: BaseDBAsyncClient, step: _Step) -> BatchResult:
        restore, batch = self.row, step.batch
        if isinstance(batch, AssociationBatch):
            return await associations.apply(
                connection, restore.account_id, restore.id, step.number, batch
            )
        assert step.at is not None
        return await batches.apply(connection, restore, step.at.part, step.number, batch)

    async def _commit(self, step: _Step, previous: Awaitable[AppliedCounts]) -> AppliedCounts:
        """Writes a step and commits it once the one before it committed: steps commit in
        order, and one whose predecessor failed rolls back."""
        restore = self.row
        async with database.transaction() as connection:
            result = await self._write(connection, step)
            counts = result.added_to(await previous, step.records, step.batches)
            if step.at is not None:
                await _record_changes(connection, restore, step.at.part, result)
            # The fence: only the worker holding the claim commits a batch.
            if not await self.held.mine().update(counts=counts.model_dump()):
                raise jobs.LostClaim(str(restore.id))
        self.counts = counts
        return counts

    def failure_sentence(self, error: Exception, code: jobs.FailureCode) -> str:
        if code == jobs.FailureCode.FILE_REFUSED:
            return str(error)  # Written for the user who sent the file.
        return super().failure_sentence(error, code)

    def outcome_columns(self, outcome: jobs.Outcome) -> jobs.Columns:
        return {"counts": self.counts.model_dump()}

    async def record_outcome(self, outcome: jobs.Outcome) -> None:
        restore = self.row
        # Its batches rewrote values, those of a failed attempt too: the shares of values that
        # choose how a filtered page reads are sampled again.
        await crm.forget_value_samples(restore.account_id)
        await _import_entry(restore, outcome, self.counts)
        await audited(
            restore,
            restore.requested_by_id,
            "COMPLETED" if outcome.succeeded else "FAILED",
            counts=self.counts.model_dump(exclude={"batches_done"}),
            **outcome.failure_details(),
        )

    async def announce_outcome(self, outcome: jobs.Outcome) -> None:
        await _notify(self.row, outcome, self.counts)
        await forget_upload(self.row)


async def _source(restore: Restore) -> AbstractAsyncContextManager[Source]:
    """Where the job reads the rows: those its plan staged, when they are all there, else the
    source itself (`services.restores.staged`)."""
    if await staged.held(restore):
        return staged.staged_source(restore)
    return source_of(restore)


async def _record_changes(
    connection: BaseDBAsyncClient, restore: Restore, part: Part, result: BatchResult
) -> None:
    """A change event per changed record, committed with its batch."""
    source = ChangeSource.IMPORT if restore.source == RestoreSource.FILE else ChangeSource.RESTORE
    await crm.record_changes(
        connection,
        restore.account_id,
        (
            RecordChange(
                record_id=changed.record_id,
                object_type=part.object_type.name,
                source=source.value,
                properties=sorted(changed.properties),
                job_id=str(restore.id),
            )
            for changed in result.changed
        ),
    )


async def _import_entry(restore: Restore, outcome: jobs.Outcome, counts: AppliedCounts) -> None:
    """The restore's line in the account's imports list."""
    source = ImportSource.FILE if restore.source == RestoreSource.FILE else ImportSource.RESTORE
    await Import.create(
        account_id=restore.account_id,
        name=wording(restore).imported_as(restore),
        source=source,
        status=ImportStatus(outcome.status.value),
        requested_by_id=restore.requested_by_id,
        restore_id=restore.id,
        object_type_name=restore.object_type.name if restore.object_type else "",
        started_at=restore.started_at,
        completed_at=outcome.at,
        counts={
            "created": counts.records_recreated,
            "updated": counts.records_changed,
            "restored": counts.records_brought_back,
            "unchanged": counts.records_unchanged + counts.conflicts,
            "failed": counts.records_refused,
            "skipped": counts.records_skipped,
            "returned_to_bin": counts.records_returned_to_bin,
            "removed": counts.records_removed,
        },
    )


def _summary_of(restore: Restore, counts: AppliedCounts) -> str:
    """What it did, in a sentence or two."""
    changed = plural(counts.records_changed, *_words(restore))
    said = (
        f"{changed} changed ({plural(counts.values_set, 'value', 'values')} set, "
        f"{counts.values_cleared:,} cleared); {counts.records_unchanged:,} already held the values."
    )
    extras = [
        (counts.records_brought_back, "brought back from the recycle bin"),
        (
            counts.records_recreated,
            "created as new records" if restore.as_new_records else "created again with their ids",
        ),
        (counts.records_refused, "refused (see the import's refused rows)"),
        (counts.records_returned_to_bin, "sent back to the recycle bin"),
        (counts.records_removed, "deleted again"),
        (counts.records_skipped, "left out (in the recycle bin or deleted permanently)"),
        (counts.conflicts, "left alone (changed again since the restore)"),
    ]
    more = [f"{count:,} {what}" for count, what in extras if count]
    associations = [
        (counts.associations_added, "added"),
        (counts.associations_refused, "left out (a record they link is missing)"),
        (counts.associations_removed, "removed"),
    ]
    more += [f"{plural(n, 'association', 'associations')} {what}" for n, what in associations if n]
    return said + (" " + "; ".join(more).capitalize() + "." if more else "")


def _words(restore: Restore) -> tuple[str, str]:
    """The words for the restore's records: its object type's, or "records" for several."""
    object_type = restore.object_type
    if object_type is None:
        return "record", "records"
    return object_type.singular_label, object_type.plural_label


async def _notify(restore: Restore, outcome: jobs.Outcome, counts: AppliedCounts) -> None:
    words = wording(restore)
    title = words.notification_title
    if restore.source == RestoreSource.FILE:
        title = words.imported_as(restore)
    if outcome.succeeded:
        kind, title = f"{words.notification_kind}_COMPLETED", f"{title} finished"
        body = _summary_of(restore, counts)
    else:
        kind, title = f"{words.notification_kind}_FAILED", f"{title} failed"
        changed = counts.records_changed + counts.records_brought_back + counts.records_recreated
        body = f"{outcome.reason.rstrip('.')}. {plural(changed, *_words(restore))} had been changed"
        body += "; they can be reverted." if changed else "."
    await notifications.notify_super_admins(
        restore.account_id, kind, title, body, subject_id=str(restore.id)
    )


run_restore = RestoreJob.run
