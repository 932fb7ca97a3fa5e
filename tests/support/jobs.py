"""Each kind of job as the lifecycle tests drive it: a row waiting for a worker, what makes
every attempt fail, and what its outcome leaves behind; and the jobs sent meanwhile."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from models.accounts import Role
from models.audit import AuditEvent
from models.crm import ObjectType
from models.notifications import Notification
from models.restores import Restore, RestoreStatus
from services import jobs
from services.backups.job import ExportJob
from services.core.clock import now
from services.restores.job import RestoreJob
from services.restores.plan_job import PlanJob
from tests.support.backups import backed_up, queued_backup
from tests.support.graphql import GraphQLClient
from tests.support.imports import csv_bytes, queued_file_restore
from tests.support.notifications import notified_by_role
from tests.support.records import seed_contacts, seed_deals, set_values
from tests.support.restores import plan, queued_unsent
from tests.support.storage import storage_that_cannot_write
from tests.support.tenants import Tenant
from workers import actors

# A row waiting for a worker that no job was sent for, and that succeeds once its job runs.
Queued = Callable[[GraphQLClient, Tenant, Path], Awaitable[UUID]]
# Meanwhile, every attempt of the job on the row fails with an error worth retrying.
Failing = Callable[[UUID, Path], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class JobCase:
    kind: jobs.JobKind[Any]
    job: type[jobs.Job[Any]]
    queued: Queued
    failing: Failing
    # The code of the failure that `failing` causes, which the failure reason starts with.
    code: jobs.FailureCode
    # The audit log's actions for the two outcomes.
    completed: str
    failed: str
    # The notification kinds of the two outcomes; None for a kind that notifies no one.
    notified_success: str | None
    notified_failure: str | None
    # The attempts' scratch files in the work dir, as a glob over the row's `{id}`.
    scratch: str | None = None
    # What tells the case apart from another of its kind.
    variant: str = ""

    def __str__(self) -> str:
        return "-".join(filter(None, (self.kind.actor_name, self.variant)))

    @property
    def ends(self) -> tuple[str, str]:
        """The row's statuses once the job ended."""
        return (self.kind.statuses.succeeded, self.kind.statuses.failed)

    def notices(self, succeeded: bool) -> list[str]:
        """The kinds of the notifications the outcome sends."""
        kind = self.notified_success if succeeded else self.notified_failure
        return [] if kind is None else [kind]


@contextlib.asynccontextmanager
async def _storage_unusable(row_id: UUID, tmp_path: Path) -> AsyncIterator[None]:
    with storage_that_cannot_write(tmp_path):
        yield


async def _queued_backup(gql: GraphQLClient, tenant: Tenant, tmp_path: Path) -> UUID:
    await seed_contacts(tenant, 20)
    return (await queued_backup(tenant)).id


async def _queued_file_restore(gql: GraphQLClient, tenant: Tenant, tmp_path: Path) -> UUID:
    deals = await seed_deals(tenant, [{"dealname": f"Deal {i}"} for i in range(20)])
    content = csv_bytes(["id", "dealname"], [[str(deal), "Renamed"] for deal in deals])
    return (await queued_file_restore(tenant, content, tmp_path, "deals")).id


async def _queued_restore(gql: GraphQLClient, tenant: Tenant, tmp_path: Path) -> UUID:
    deals = await seed_deals(tenant, [{"amount": str(i)} for i in range(20)])
    backup_id = await backed_up(gql, tenant)
    await set_values(deals[0], {"amount": "edited"})
    restore_id = UUID((await plan(gql, tenant, backup_id, ["amount"]))["id"])
    await queued_unsent(restore_id, tenant)
    return restore_id


async def _queued_plan(gql: GraphQLClient, tenant: Tenant, tmp_path: Path) -> UUID:
    """A plan as planRestore leaves it, with no message sent."""
    deals = await seed_deals(tenant, [{"amount": str(i)} for i in range(20)])
    backup_id = await backed_up(gql, tenant)
    await set_values(deals[0], {"amount": "edited"})
    plan = await Restore.create(
        account_id=tenant.account.id,
        backup_id=backup_id,
        object_type=await ObjectType.get(account_id=tenant.account.id, name="deals"),
        properties=["amount"],
        status=RestoreStatus.PLAN_QUEUED,
        requested_by_id=tenant.users[Role.SUPER_ADMIN].id,
        lease_expires_at=now() + timedelta(hours=1),
    )
    return plan.id


CASES = (
    JobCase(
        kind=jobs.EXPORT_BACKUP,
        job=ExportJob,
        queued=_queued_backup,
        failing=_storage_unusable,
        code=jobs.FailureCode.STORAGE_UNAVAILABLE,
        completed="BACKUP_COMPLETED",
        failed="BACKUP_FAILED",
        notified_success="BACKUP_READY",
        notified_failure="BACKUP_FAILED",
        scratch="{id}*",
    ),
    JobCase(
        kind=jobs.APPLY_RESTORE,
        job=RestoreJob,
        queued=_queued_file_restore,
        failing=_storage_unusable,
        code=jobs.FailureCode.STORAGE_UNAVAILABLE,
        completed="IMPORT_COMPLETED",
        failed="IMPORT_FAILED",
        notified_success="IMPORT_COMPLETED",
        notified_failure="IMPORT_FAILED",
        scratch="upload-{id}-*",
        variant="file",
    ),
    JobCase(
        kind=jobs.PLAN_RESTORE,
        job=PlanJob,
        queued=_queued_plan,
        failing=_storage_unusable,
        code=jobs.FailureCode.STORAGE_UNAVAILABLE,
        completed="RESTORE_PLANNED",
        failed="RESTORE_PLAN_FAILED",
        notified_success=None,
        notified_failure=None,
    ),
    JobCase(
        kind=jobs.APPLY_RESTORE,
        job=RestoreJob,
        queued=_queued_restore,
        failing=_storage_unusable,
        code=jobs.FailureCode.STORAGE_UNAVAILABLE,
        completed="RESTORE_COMPLETED",
        failed="RESTORE_FAILED",
        notified_success="RESTORE_COMPLETED",
        notified_failure="RESTORE_FAILED",
    ),
)


async def outcomes_audited(case: JobCase, row_id: UUID) -> list[str]:
    """The audit log's entries about the job's outcome."""
    entries = AuditEvent.filter(target_id=str(row_id), action__in=[case.completed, case.failed])
    return [str(action) for action in await entries.values_list("action", flat=True)]


async def failure_shown(case: JobCase, row_id: UUID) -> list[str]:
    """What users see of the job's failure: its row's reason, then its audit entry's reason and
    its notification's body (if it sends one)."""
    row = await case.kind.model.get(id=row_id)
    audited = await AuditEvent.get(target_id=str(row_id), action=case.failed)
    shown = [row.failure_reason, audited.details["reason"]]
    for kind in case.notices(succeeded=False):
        shown.append((await Notification.get(subject_id=str(row_id), kind=kind)).body)
    return shown


async def notified(row_id: UUID) -> list[str]:
    """The kinds of the notifications about the job (only super admins are told)."""
    return (await notified_by_role(str(row_id)))[Role.SUPER_ADMIN]


async def statuses_until_finished(messages: AsyncIterator[dict[str, Any]]) -> list[str]:
    """The statuses of a job's events, up to the one it finished with."""
    statuses: list[str] = []
    async with asyncio.timeout(5):
        async for message in messages:
            statuses.append(jobs.JobEvent.from_message(message).status)
            if statuses[-1] in jobs.FINISHED:
                break
    return statuses


@contextlib.asynccontextmanager
async def jobs_sent() -> AsyncIterator[list[tuple[jobs.JobKind[Any], UUID]]]:
    """The jobs sent meanwhile, of every kind; each goes to the worker once the block ends.
    (Not before: a sweep given a future `at` would find the lease the worker's claim takes,
    which runs on the real clock, lapsed already.)"""
    sent: list[tuple[jobs.JobKind[Any], UUID]] = []
    for kind in jobs.KINDS:
        jobs.register(kind, _recorder(sent, kind))
    try:
        yield sent
    finally:
        actors.register()
        for kind, row_id in sent:
            await jobs.enqueue(kind, row_id)


def _recorder(
    sent: list[tuple[jobs.JobKind[Any], UUID]], kind: jobs.JobKind[Any]
) -> Callable[[UUID], None]:
    return lambda row_id: sent.append((kind, row_id))
