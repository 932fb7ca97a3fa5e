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
from models.imports import Import
from models.notifications import Notification
from models.restores import Restore, RestoreStatus
from services import jobs, storage
from services.backups.job import ExportJob
from services.core.clock import now
from services.imports.job import ImportJob
from services.restores.job import RestoreJob
from tests.support.backups import backed_up, queued_backup
from tests.support.graphql import GraphQLClient
from tests.support.imports import csv_bytes, queued_import
from tests.support.notifications import notified_by_role
from tests.support.records import seed_contacts, seed_deals, set_values
from tests.support.restores import plan
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
    # The notification kinds of the two outcomes.
    notified_success: str
    notified_failure: str
    # The attempts' scratch files in the work dir, as a glob over the row's `{id}`.
    scratch: str | None = None

    def __str__(self) -> str:
        return self.kind.actor_name


@contextlib.asynccontextmanager
async def _storage_unusable(row_id: UUID, tmp_path: Path) -> AsyncIterator[None]:
    with storage_that_cannot_write(tmp_path):
        yield


@contextlib.asynccontextmanager
async def _upload_gone(import_id: UUID, tmp_path: Path) -> AsyncIterator[None]:
    await storage.current().delete((await Import.get(id=import_id)).storage_key)
    yield


async def _queued_backup(gql: GraphQLClient, tenant: Tenant, tmp_path: Path) -> UUID:
    await seed_contacts(tenant, 20)
    return (await queued_backup(tenant)).id


async def _queued_import(gql: GraphQLClient, tenant: Tenant, tmp_path: Path) -> UUID:
    deals = await seed_deals(tenant, [{"dealname": f"Deal {i}"} for i in range(20)])
    content = csv_bytes(["id", "dealname"], [[str(deal), "Renamed"] for deal in deals])
    return (await queued_import(tenant, content, tmp_path, "deals")).id


async def _queued_restore(gql: GraphQLClient, tenant: Tenant, tmp_path: Path) -> UUID:
    """A restore QUEUED as startRestore leaves it, its lease long enough that the lost-job sweep
    does not hand it to the in-process worker."""
    deals = await seed_deals(tenant, [{"amount": str(i)} for i in range(20)])
    backup_id = await backed_up(gql, tenant)
    await set_values(deals[0], {"amount": "edited"})
    restore_id = UUID((await plan(gql, tenant, backup_id, ["amount"]))["id"])
    await Restore.filter(id=restore_id).update(
        status=RestoreStatus.QUEUED,
        requested_by_id=tenant.users[Role.SUPER_ADMIN].id,
        lease_expires_at=now() + timedelta(hours=1),
    )
    return restore_id


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
        kind=jobs.IMPORT_FILE,
        job=ImportJob,
        queued=_queued_import,
        failing=_upload_gone,
        code=jobs.FailureCode.STORAGE_UNAVAILABLE,
        completed="IMPORT_COMPLETED",
        failed="IMPORT_FAILED",
        notified_success="IMPORT_COMPLETED",
        notified_failure="IMPORT_FAILED",
        scratch="import-{id}-*",
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
    """What users see of the job's failure: its row's reason, its audit entry's reason and its
    notification's body."""
    row = await case.kind.model.get(id=row_id)
    audited = await AuditEvent.get(target_id=str(row_id), action=case.failed)
    notice = await Notification.get(subject_id=str(row_id), kind=case.notified_failure)
    return [row.failure_reason, audited.details["reason"], notice.body]


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
