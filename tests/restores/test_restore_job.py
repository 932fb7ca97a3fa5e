"""The restore job when workers die or overlap: every batch is applied once.

These tests are the worker: they queue a planned restore without sending its message and run
`run_restore` themselves, so they decide when a worker dies and when another takes over.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID

from models.crm import Record
from models.restores import Restore, RestoreChange, RestoreStatus
from services.core.clock import now
from services.crm import changes as record_events
from services.restores import job as restore_job
from services.restores.diff import AppliedCounts
from services.restores.source import BATCH_SIZE
from tests.conftest import GraphQLClient, Tenant
from tests.leases import lease_lapses
from tests.polling import until_listening
from tests.restoring import backed_up, plan, seed_deals, wait_for_restore

BATCHES = 5
RECORDS = BATCHES * BATCH_SIZE


async def queued_restore(gql: GraphQLClient, tenant: Tenant) -> tuple[UUID, dict[UUID, str]]:
    """A restore of `amount` on RECORDS deals, every other one edited since the backup, QUEUED
    as startRestore leaves it but with no message sent. Returns its id and the backup's
    amounts."""
    ids = await seed_deals(
        tenant, [{"amount": str(i), "dealname": f"D{i}"} for i in range(RECORDS)]
    )
    backup_id = await backed_up(gql, tenant)
    await Record.filter(id__in=ids[::2]).update(properties={"amount": "edited", "dealname": "x"})
    restore_id = UUID((await plan(gql, tenant, backup_id, ["amount"]))["id"])
    # The lease is long: the lost-job sweep must not hand it to the in-process worker.
    await Restore.filter(id=restore_id).update(
        status=RestoreStatus.QUEUED, lease_expires_at=now() + timedelta(hours=1)
    )
    return restore_id, {record_id: str(i) for i, record_id in enumerate(ids)}


@contextlib.asynccontextmanager
async def first_change(tenant: Tenant) -> AsyncIterator[asyncio.Task[record_events.RecordChange]]:
    """A task that ends with the first change event of the account's deals: a batch committed."""
    changes = record_events.live(tenant.account.id, "deals")
    task = asyncio.create_task(anext(changes))
    channel = record_events.channel(tenant.account.id, "deals")
    await until_listening(channel)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await changes.aclose()


async def assert_applied_once(restore_id: UUID, amounts: dict[UUID, str]) -> None:
    restore = await wait_for_restore(restore_id)
    assert restore.status == RestoreStatus.SUCCEEDED, restore.failure_reason
    counts = AppliedCounts.model_validate(restore.counts)
    assert counts.batches_done == BATCHES
    assert counts.records_changed == RECORDS // 2
    assert counts.records_unchanged == RECORDS // 2
    assert counts.values_set == RECORDS // 2
    saved = await RestoreChange.filter(restore_id=restore_id).values_list("record_id", "batch")
    assert len(saved) == counts.records_changed
    assert {batch for _, batch in saved} == set(range(BATCHES))
    found = dict(await Record.filter(id__in=list(amounts)).values_list("id", "properties"))
    assert {UUID(str(k)): v["amount"] for k, v in found.items()} == amounts


async def test_a_restore_resumes_after_its_worker_died_without_applying_a_batch_twice(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    restore_id, amounts = await queued_restore(gql, tenant)
    async with first_change(tenant) as committed:
        dying = asyncio.create_task(restore_job.run_restore(restore_id))
        await committed
        # The worker dies between or inside batches: what it had not committed is gone.
        dying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await dying
    interrupted = await Restore.get(id=restore_id)
    counts = AppliedCounts.model_validate(interrupted.counts)
    assert interrupted.status == RestoreStatus.RUNNING
    assert 1 <= counts.batches_done < BATCHES
    assert await RestoreChange.filter(restore_id=restore_id).count() == counts.records_changed

    # While its lease runs, nobody else takes the job.
    await restore_job.run_restore(restore_id)
    assert (await Restore.get(id=restore_id)).attempts == 1
    await lease_lapses(Restore, restore_id)
    await restore_job.run_restore(restore_id)
    await assert_applied_once(restore_id, amounts)
    assert (await Restore.get(id=restore_id)).attempts == 2


async def test_a_worker_that_lost_its_claim_commits_nothing_more(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    restore_id, amounts = await queued_restore(gql, tenant)
    async with first_change(tenant) as committed:
        presumed_dead = asyncio.create_task(restore_job.run_restore(restore_id))
        await committed
        # It is slow, not dead: its lease lapses and a second worker takes over while it
        # carries on. The first one's next batch is refused; the second one's are not.
        await lease_lapses(Restore, restore_id)
        taking_over = asyncio.create_task(restore_job.run_restore(restore_id))
        await asyncio.gather(presumed_dead, taking_over)
    await assert_applied_once(restore_id, amounts)
    assert (await Restore.get(id=restore_id)).attempts == 2
