"""The restore (or revert) job: apply the values batch by batch, record the outcome.
(Claiming, retries and the outcome's fence: `services.jobs.runner`.)

Each batch commits in one transaction with its saved changes and the restore's running
counts, fenced by the claim: a worker that died mid-batch left nothing of it, and the next
attempt resumes after the last committed batch, so no batch is ever applied twice. Two batches
are in flight at once (their records are distinct), but they commit in order.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient

from models.imports import Import, ImportSource, ImportStatus
from models.restores import Restore, RestoreChange
from services import crm, jobs
from services.activity import audit, notifications
from services.backups import CorruptBackup
from services.core import database
from services.crm import ChangeSource, RecordChange
from services.restores.apply import apply_batch
from services.restores.diff import AppliedCounts, BatchResult
from services.restores.service import WORDING
from services.restores.source import Targets, backup_batches, backup_file, change_batches, entry_for

# Batches applied at once: the next one's statement runs while this one commits, so neither
# the database nor the worker waits for the other.
IN_FLIGHT = 2


@dataclass(frozen=True)
class _Source:
    batches: AsyncIterator[Targets]
    # Records the source holds, for progress.
    total: int


class RestoreJob(jobs.Job[Restore]):
    kind = jobs.APPLY_RESTORE
    fails_at_once = (CorruptBackup,)  # A damaged or missing backup: every attempt reads the same.
    failures = dict.fromkeys(fails_at_once, jobs.FailureCode.BACKUP_FILE_DAMAGED)

    def __init__(self, held: jobs.Claim[Restore]) -> None:
        super().__init__(held)
        # What the batches committed so far did, this attempt's and those before it.
        self.counts = AppliedCounts.model_validate(self.row.counts)

    async def work(self) -> None:
        await self.row.fetch_related("object_type", "backup")
        resumed = self.counts
        committed: asyncio.Future[AppliedCounts] = asyncio.get_running_loop().create_future()
        committed.set_result(resumed)
        in_flight: deque[asyncio.Future[AppliedCounts]] = deque()
        async with _source(self.row) as source:
            try:
                # A resumed attempt reads the source again from the start: its order is stable,
                # so the batches committed before are exactly the first `batches_done`.
                number = 0
                async for batch in source.batches:
                    if number >= resumed.batches_done:
                        if len(in_flight) == IN_FLIGHT:
                            await self._report(source, await in_flight.popleft())
                        committed = asyncio.ensure_future(self._apply_one(number, batch, committed))
                        in_flight.append(committed)
                    number += 1
                while in_flight:
                    await self._report(source, await in_flight.popleft())
            finally:
                for task in in_flight:
                    task.cancel()
                await asyncio.gather(*in_flight, return_exceptions=True)

    async def _report(self, source: _Source, counts: AppliedCounts) -> None:
        await self.held.progress(self.row.object_type.name, counts.records_read, source.total)

    async def _apply_one(
        self, number: int, batch: Targets, previous: Awaitable[AppliedCounts]
    ) -> AppliedCounts:
        """Applies a batch and commits it once the batch before it committed: batches commit in
        order, and one whose predecessor failed rolls back."""
        restore = self.row
        async with database.transaction() as connection:
            result = await apply_batch(connection, restore, number, batch)
            counts = result.added_to(await previous, len(batch))
            # The fence: only the worker holding the claim commits a batch.
            if not await self.held.mine().update(counts=counts.model_dump()):
                raise jobs.LostClaim(str(restore.id))
            await _record_changes(connection, restore, result)
        self.counts = counts
        return counts

    def outcome_columns(self, outcome: jobs.Outcome) -> jobs.Columns:
        return {"counts": self.counts.model_dump()}

    async def record_outcome(self, outcome: jobs.Outcome) -> None:
        restore = self.row
        await _import_entry(restore, outcome, self.counts)
        await audit.record_event(
            restore.account_id,
            restore.requested_by_id,
            f"{WORDING[restore.kind].action}_{'COMPLETED' if outcome.succeeded else 'FAILED'}",
            target_type="restore",
            target_id=restore.id,
            backup_id=str(restore.backup_id),
            object_type=restore.object_type.name,
            properties=restore.properties,
            counts=self.counts.model_dump(exclude={"batches_done"}),
            **outcome.failure_details(),
        )

    async def announce_outcome(self, outcome: jobs.Outcome) -> None:
        await _notify(self.row, outcome, self.counts)


@contextlib.asynccontextmanager
async def _source(restore: Restore) -> AsyncIterator[_Source]:
    """A revert's values are the ones its restore saved; a restore's, the backup's."""
    reverted = restore.reverts_id
    if reverted is not None:
        total = await RestoreChange.filter(restore_id=reverted).count()
        async with contextlib.aclosing(change_batches(reverted, restore.properties)) as batches:
            yield _Source(batches, total)
        return
    async with backup_file(restore.backup, restore.object_type.name) as reader:
        entry = entry_for(reader, restore.object_type.name)
        if entry is None:
            raise CorruptBackup(f"The backup no longer holds {restore.object_type.name}.")
        async with contextlib.aclosing(
            backup_batches(reader, entry, restore.properties)
        ) as batches:
            yield _Source(batches, entry.rows)


async def _record_changes(
    connection: BaseDBAsyncClient, restore: Restore, result: BatchResult
) -> None:
    """A change event per changed record, committed with its batch."""
    await crm.record_changes(
        connection,
        restore.account_id,
        (
            RecordChange(
                record_id=changed.record_id,
                object_type=restore.object_type.name,
                source=ChangeSource.RESTORE.value,
                properties=changed.properties,
                job_id=str(restore.id),
            )
            for changed in result.changed
        ),
    )


async def _import_entry(restore: Restore, outcome: jobs.Outcome, counts: AppliedCounts) -> None:
    """The restore's line in the account's imports list."""
    await Import.create(
        account_id=restore.account_id,
        name=WORDING[restore.kind].imported_as(restore.object_type.singular_label),
        source=ImportSource.RESTORE,
        status=ImportStatus(outcome.status.value),
        requested_by_id=restore.requested_by_id,
        restore_id=restore.id,
        object_type_name=restore.object_type.name,
        started_at=restore.started_at,
        completed_at=outcome.at,
        counts={
            "created": 0,
            "updated": counts.records_changed,
            "restored": 0,
            "unchanged": counts.records_unchanged + counts.conflicts,
            "failed": 0,
            "skipped": counts.records_skipped,
        },
    )


async def _notify(restore: Restore, outcome: jobs.Outcome, counts: AppliedCounts) -> None:
    title = WORDING[restore.kind].notification_title
    plural = restore.object_type.plural_label.lower()
    if outcome.succeeded:
        kind, title = "RESTORE_COMPLETED", f"{title} finished"
        body = (
            f"{counts.records_changed} {plural} changed ({counts.values_set} values set, "
            f"{counts.values_cleared} cleared); {counts.records_unchanged} already held the "
            f"values; {counts.records_skipped} no longer exist and were left out."
        )
        if counts.conflicts:
            body += f" {counts.conflicts} changed again since the restore and were left alone."
    else:
        kind, title = "RESTORE_FAILED", f"{title} failed"
        body = (
            f"{outcome.reason} {counts.records_changed} {plural} had been changed; "
            "they can be reverted."
        )
    await notifications.notify_super_admins(
        restore.account_id, kind, title, body, subject_id=str(restore.id)
    )


run_restore = RestoreJob.run
