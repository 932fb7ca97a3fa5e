"""The life of a job, the same for every kind: each test runs once per kind of job.

The tests play the worker where they need to decide when one dies or overlaps another;
elsewhere the server's in-process worker runs the jobs sent."""

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from services import jobs
from services.core import environment
from services.core.clock import now
from services.jobs.claims import claim
from services.jobs.progress import subscribe
from tests.support.graphql import GraphQLClient
from tests.support.jobs import (
    CASES,
    JobCase,
    failure_shown,
    jobs_sent,
    notified,
    outcomes_audited,
    statuses_until_finished,
)
from tests.support.leases import lease_lapses
from tests.support.polling import until_finished
from tests.support.tenants import Tenant

pytestmark = pytest.mark.parametrize("case", CASES, ids=str)


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
async def test_a_duplicate_delivery_does_nothing(
    case: JobCase, gql: GraphQLClient, tenant: Tenant, tmp_path: Path, at_once: bool
) -> None:
    row_id = await case.queued(gql, tenant, tmp_path)
    if at_once:
        await asyncio.gather(case.job.run(row_id), case.job.run(row_id))
    else:
        await case.job.run(row_id)
        await case.job.run(row_id)

    row = await case.kind.model.get(id=row_id)
    assert (row.status, row.attempts) == (case.kind.statuses.succeeded, 1), row.failure_reason
    assert await outcomes_audited(case, row_id) == [case.completed]
    assert await notified(row_id) == case.notices(succeeded=True)


async def test_a_worker_that_lost_its_claim_stops_and_records_nothing(
    case: JobCase, gql: GraphQLClient, tenant: Tenant, tmp_path: Path
) -> None:
    row_id = await case.queued(gql, tenant, tmp_path)
    presumed_dead = await claim(case.kind, row_id)
    assert presumed_dead is not None
    await lease_lapses(case.kind.model, row_id)
    taking_over = await claim(case.kind, row_id)
    assert taking_over is not None and taking_over.attempt == 2

    # It was slow, not dead: it carries on, finds the job taken over, and stops quietly.
    await case.job(presumed_dead).carry_out()
    row = await case.kind.model.get(id=row_id)
    assert (row.status, row.attempts) == (case.kind.statuses.running, 2)
    assert await outcomes_audited(case, row_id) == []
    assert await notified(row_id) == []

    await case.job(taking_over).carry_out()
    row = await case.kind.model.get(id=row_id)
    assert (row.status, row.attempts) == (case.kind.statuses.succeeded, 2), row.failure_reason
    assert await outcomes_audited(case, row_id) == [case.completed]
    assert await notified(row_id) == case.notices(succeeded=True)


async def test_a_failing_job_is_retried_then_fails_after_its_last_attempt(
    case: JobCase, gql: GraphQLClient, tenant: Tenant, tmp_path: Path
) -> None:
    row_id = await case.queued(gql, tenant, tmp_path)
    last = case.kind.max_attempts
    async with case.failing(row_id, tmp_path):
        for attempt in range(1, last):
            with pytest.raises(jobs.RetryJob, match=case.code):
                await case.job.run(row_id)
            row = await case.kind.model.get(id=row_id)
            assert (row.status, row.attempts) == (case.kind.statuses.waiting, attempt)
            assert await outcomes_audited(case, row_id) == []
            assert await notified(row_id) == []
        async with subscribe(row_id) as messages:
            await case.job.run(row_id)
            statuses = await statuses_until_finished(messages)

    assert statuses[-1] == case.kind.statuses.failed
    row = await case.kind.model.get(id=row_id)
    assert (row.status, row.attempts) == (case.kind.statuses.failed, last)
    assert jobs.failure_code(row) == case.code
    reason, *elsewhere = await failure_shown(case, row_id)
    assert all(reason in text for text in elsewhere)
    # The error's own text, with the server's paths, stays in the log.
    assert all("/" not in text and "Errno" not in text for text in (reason, *elsewhere))
    assert await outcomes_audited(case, row_id) == [case.failed]
    assert await notified(row_id) == case.notices(succeeded=False)
    if case.scratch is not None:
        assert not list(environment.current().work_dir.glob(case.scratch.format(id=row_id)))


async def test_a_job_whose_lease_lapsed_is_sent_again_once(
    case: JobCase, gql: GraphQLClient, tenant: Tenant, tmp_path: Path
) -> None:
    row_id = await case.queued(gql, tenant, tmp_path)
    lease_ends = now() + timedelta(minutes=10)
    # A worker took it and died: its lease runs until `lease_ends`.
    await case.kind.model.filter(id=row_id).update(
        status=case.kind.statuses.running, attempts=1, started_at=now(), lease_expires_at=lease_ends
    )
    async with jobs_sent() as sent:
        await jobs.requeue_lost_jobs(at=lease_ends - timedelta(seconds=1))
        assert (case.kind, row_id) not in sent
        lapsed = lease_ends + timedelta(seconds=1)
        await asyncio.gather(jobs.requeue_lost_jobs(at=lapsed), jobs.requeue_lost_jobs(at=lapsed))
    assert sent.count((case.kind, row_id)) == 1
    finished = await until_finished(case.kind.model, row_id, 30, case.ends)
    assert (finished.status, finished.attempts) == (case.kind.statuses.succeeded, 2)


async def test_queued_jobs_are_sent_again_at_start(
    case: JobCase, gql: GraphQLClient, tenant: Tenant, tmp_path: Path
) -> None:
    row_id = await case.queued(gql, tenant, tmp_path)
    async with jobs_sent() as sent:
        assert await jobs.resend_queued_jobs() >= 1
    assert sent.count((case.kind, row_id)) == 1
    finished = await until_finished(case.kind.model, row_id, 30, case.ends)
    assert (finished.status, finished.attempts) == (case.kind.statuses.succeeded, 1)
