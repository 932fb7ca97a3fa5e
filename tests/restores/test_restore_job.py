"""The restore job when workers die or overlap: every batch is applied once.

These tests are the worker: they queue a planned restore without sending its message and run
`run_restore` themselves, so they decide when a worker dies and when another takes over.
"""

import asyncio
import contextlib

from models.restores import Restore, RestoreChange, RestoreStatus
from services.restores import job as restore_job
from services.restores.diff import AppliedCounts
from services.restores.source import BATCH_SIZE
from tests.support.graphql import GraphQLClient
from tests.support.leases import lease_lapses
from tests.support.restores import assert_applied_once, first_change, queued_restore
from tests.support.tenants import Tenant

# Enough that the first change event is heard (its relay waits its turn for SQLite's one
# connection) while batches remain.
BATCHES = 10
RECORDS = BATCHES * BATCH_SIZE


async def test_a_restore_resumes_after_its_worker_died_without_applying_a_batch_twice(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    restore_id, amounts = await queued_restore(gql, tenant, RECORDS)
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
    await assert_applied_once(restore_id, amounts, BATCHES)
    assert (await Restore.get(id=restore_id)).attempts == 2


async def test_a_worker_that_lost_its_claim_commits_nothing_more(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    restore_id, amounts = await queued_restore(gql, tenant, RECORDS)
    async with first_change(tenant) as committed:
        presumed_dead = asyncio.create_task(restore_job.run_restore(restore_id))
        await committed
        # It is slow, not dead: its lease lapses and a second worker takes over while it
        # carries on. The first one's next batch is refused; the second one's are not.
        await lease_lapses(Restore, restore_id)
        taking_over = asyncio.create_task(restore_job.run_restore(restore_id))
        await asyncio.gather(presumed_dead, taking_over)
    await assert_applied_once(restore_id, amounts, BATCHES)
    assert (await Restore.get(id=restore_id)).attempts == 2
