"""Running one restore (or revert): claim the row, apply the values batch by batch, record
the outcome. (How claims make at-least-once delivery safe: `services.job_claims`.)

Each batch commits in one transaction with its saved changes and the restore's running
counts, fenced by the claim: a worker that died mid-batch left nothing of it, and the next
attempt resumes after the last committed batch, so no batch is ever applied twice. Two batches
are in flight at once (their records are distinct), but they commit in order.
"""

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from uuid import UUID

from models.imports import Import, ImportSource, ImportStatus
from models.restores import Restore, RestoreChange, RestoreStatus
from services import crm
from services.activity import audit, notifications
from services.backups import CorruptBackup
from services.core import database
from services.core.clock import now
from services.core.errors import DomainError
from services.crm import ChangeSource, RecordChange
from services.jobs import progress as job_events
from services.jobs.claims import Claim, LostClaim, claim, release_for_retry
from services.jobs.progress import JobEvent
from services.restores.apply import apply_batch
from services.restores.diff import AppliedCounts, BatchResult
from services.restores.service import WORDING
from services.restores.source import Targets, backup_batches, backup_file, change_batches, entry_for

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Batches applied at once: the next one's statement runs while this one commits and publishes
# its events, so neither the database nor the worker waits for the other.
IN_FLIGHT = 2


@dataclass(frozen=True)
class _Source:
    batches: AsyncIterator[Targets]
    # Records the source holds, for progress.
    total: int


async def run_restore(restore_id: UUID) -> None:
    """The restore job. Raises to ask for a retry while attempts remain."""
    held = await claim(Restore, restore_id)
    if held is None:
        log.info("Restore %s is not waiting for a worker; nothing to do", restore_id)
        return
    await held.row.fetch_related("object_type", "backup")
    try:
        async with held.renewing():
            counts = await _apply(held)
    except LostClaim:
        log.warning("Restore %s was taken over by another worker", restore_id)
        return
    except Exception as error:
        await _attempt_failed(held, error)
        return
    await _finished(held, RestoreStatus.SUCCEEDED, counts)


async def _apply(held: Claim[Restore]) -> AppliedCounts:
    restore = held.row
    resumed = AppliedCounts.model_validate(restore.counts)
    committed: asyncio.Future[AppliedCounts] = asyncio.get_running_loop().create_future()
    committed.set_result(resumed)
    in_flight: deque[asyncio.Future[AppliedCounts]] = deque()
    async with _source(restore) as source:
        try:
            # A resumed attempt reads the source again from the start: its order is stable,
            # so the batches committed before are exactly the first `batches_done`.
            number = 0
            async for batch in source.batches:
                if number >= resumed.batches_done:
                    if len(in_flight) == IN_FLIGHT:
                        await _report(held, source, await in_flight.popleft())
                    committed = asyncio.ensure_future(_apply_one(held, number, batch, committed))
                    in_flight.append(committed)
                number += 1
            while in_flight:
                await _report(held, source, await in_flight.popleft())
        finally:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
    return await committed


async def _report(held: Claim[Restore], source: _Source, counts: AppliedCounts) -> None:
    await held.progress(held.row.object_type.name, counts.records_read, source.total)


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


async def _apply_one(
    held: Claim[Restore],
    number: int,
    batch: Targets,
    previous: Awaitable[AppliedCounts],
) -> AppliedCounts:
    """Applies a batch and commits it once the batch before it committed: batches commit in
    order, and one whose predecessor failed rolls back."""
    restore = held.row
    async with database.transaction() as connection:
        result = await apply_batch(connection, restore, number, batch)
        counts = result.added_to(await previous, len(batch))
        # The fence: only the worker holding the claim commits a batch.
        if not await held.mine().update(counts=counts.model_dump()):
            raise LostClaim(str(restore.id))
    await _publish(restore, result)
    return counts


async def _publish(restore: Restore, result: BatchResult) -> None:
    """A change event per changed record, once its batch committed."""
    await crm.publish_record_changes(
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


async def _attempt_failed(held: Claim[Restore], error: Exception) -> None:
    """Back to the queue for a retry, or FAILED after the last attempt. A domain error (a
    damaged backup) would fail again: it fails at once."""
    restore = held.row
    reason = f"{type(error).__name__}: {error}"
    log.error("Restore %s attempt %d failed: %s", restore.id, held.attempt, reason, exc_info=error)
    if held.attempt < MAX_ATTEMPTS and not isinstance(error, DomainError):
        await release_for_retry(held, reason)
        raise RetryRestore(reason) from error
    counts = AppliedCounts.model_validate(
        (await Restore.get(id=restore.id).values_list("counts", flat=True)) or {}
    )
    await _finished(held, RestoreStatus.FAILED, counts, reason)


async def _finished(
    held: Claim[Restore], status: RestoreStatus, counts: AppliedCounts, reason: str = ""
) -> None:
    restore = held.row
    wording = WORDING[restore.kind]
    async with database.transaction():
        done = await held.mine().update(
            status=status,
            completed_at=now(),
            counts=counts.model_dump(),
            lease_expires_at=None,
            failure_reason=reason,
        )
        if not done:
            log.warning("Restore %s was taken over before it could be marked done", restore.id)
            return
        await _import_entry(restore, status, counts)
        await audit.record_event(
            restore.account_id,
            restore.requested_by_id,
            f"{wording.action}_{'COMPLETED' if status == RestoreStatus.SUCCEEDED else 'FAILED'}",
            target_type="restore",
            target_id=restore.id,
            backup_id=str(restore.backup_id),
            object_type=restore.object_type.name,
            properties=restore.properties,
            counts=counts.model_dump(exclude={"batches_done"}),
            reason=reason or None,
        )
    await job_events.publish(restore.id, JobEvent(str(restore.id), status.value))
    await _notify(restore, status, counts, reason)


async def _import_entry(restore: Restore, status: RestoreStatus, counts: AppliedCounts) -> None:
    """The restore's line in the account's imports list."""
    await Import.create(
        account_id=restore.account_id,
        name=WORDING[restore.kind].imported_as(restore.object_type.singular_label),
        source=ImportSource.RESTORE,
        status=ImportStatus(status.value),
        requested_by_id=restore.requested_by_id,
        restore_id=restore.id,
        object_type_name=restore.object_type.name,
        started_at=restore.started_at,
        completed_at=now(),
        counts={
            "created": 0,
            "updated": counts.records_changed,
            "restored": 0,
            "unchanged": counts.records_unchanged + counts.conflicts,
            "failed": 0,
            "skipped": counts.records_skipped,
        },
    )


async def _notify(
    restore: Restore, status: RestoreStatus, counts: AppliedCounts, reason: str
) -> None:
    title = WORDING[restore.kind].notification_title
    plural = restore.object_type.plural_label.lower()
    if status == RestoreStatus.SUCCEEDED:
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
            f"{reason}. {counts.records_changed} {plural} had been changed; they can be reverted."
        )
    await notifications.notify_super_admins(
        restore.account_id, kind, title, body, subject_id=str(restore.id)
    )


class RetryRestore(Exception):
    """Raised to the job queue so that it delivers the restore again after a back-off."""
