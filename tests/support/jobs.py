"""Each kind of job as the lifecycle tests drive it: a row waiting for a worker, what makes
every attempt fail, and what its outcome leaves behind; and the jobs sent meanwhile."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from models.accounts import Role
from models.audit import AuditEvent
from models.ids import new_id
from models.imports import Import, ImportSource
from models.notifications import Notification
from models.restores import Restore, RestoreStatus
from services import jobs, storage
from services.backups.job import ExportJob
from services.core.clock import now
from services.imports.job import ImportJob
from services.restores.job import RestoreJob
from services.storage import LocalStorage, import_key
from tests.conftest import GraphQLClient, Tenant
from tests.restoring import backed_up, plan, seed_deals, set_values
from tests.server.test_backups import queued_backup, seed_contacts
from tests.server.test_imports import csv_bytes
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
    # The name of the error that `failing` causes, which the failure reason starts with.
    error: str
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


@contextlib.contextmanager
def unusable_storage(tmp_path: Path) -> Iterator[None]:
    """Storage whose root is a regular file, so that storing or fetching any file fails."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    configured = storage.current()
    storage.use(LocalStorage(blocked))
    try:
        yield
    finally:
        storage.use(configured)


@contextlib.asynccontextmanager
async def _storage_unusable(row_id: UUID, tmp_path: Path) -> AsyncIterator[None]:
    with unusable_storage(tmp_path):
        yield


@contextlib.asynccontextmanager
async def _upload_gone(import_id: UUID, tmp_path: Path) -> AsyncIterator[None]:
    await storage.current().delete((await Import.get(id=import_id)).storage_key)
    yield


async def queued_import(tenant: Tenant, content: bytes, tmp_path: Path, object_type: str) -> Import:
    """An import waiting for a worker, its file in storage, that no worker has been sent."""
    import_id = new_id()
    key = import_key(tenant.account.id, import_id)
    path = tmp_path / f"{import_id}.csv"
    path.write_bytes(content)
    await storage.current().put_file(key, path)
    return await Import.create(
        id=import_id,
        account_id=tenant.account.id,
        name="Import - deals.csv",
        source=ImportSource.FILE,
        requested_by=tenant.users[Role.SUPER_ADMIN],
        storage_key=key,
        object_type_name=object_type,
    )


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
        error="NotADirectoryError",
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
        error="FileNotFoundError",
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
        error="NotADirectoryError",
        completed="RESTORE_COMPLETED",
        failed="RESTORE_FAILED",
        notified_success="RESTORE_COMPLETED",
        notified_failure="RESTORE_FAILED",
    ),
)


async def outcomes_audited(case: JobCase, row_id: UUID) -> list[str]:
    """The audit log's entries about the job's outcome."""
    entries = AuditEvent.filter(target_id=str(row_id), action__in=[case.completed, case.failed])
    return list(await entries.values_list("action", flat=True))


async def notified(row_id: UUID) -> list[str]:
    """The kinds of the notifications about the job (the tenant has one super admin)."""
    return list(await Notification.filter(subject_id=str(row_id)).values_list("kind", flat=True))


async def statuses_until_finished(messages: AsyncIterator[dict[str, Any]]) -> list[str]:
    """The statuses of a job's events, up to the one it finished with."""
    statuses: list[str] = []
    async with asyncio.timeout(5):
        async for message in messages:
            statuses.append(jobs.JobEvent.from_message(message).status)
            if statuses[-1] in jobs.FINISHED:
                break
    return statuses


@contextlib.contextmanager
def jobs_sent() -> Iterator[list[tuple[jobs.JobKind[Any], UUID]]]:
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
            jobs.enqueue(kind, row_id)


def _recorder(
    sent: list[tuple[jobs.JobKind[Any], UUID]], kind: jobs.JobKind[Any]
) -> Callable[[UUID], None]:
    return lambda row_id: sent.append((kind, row_id))
