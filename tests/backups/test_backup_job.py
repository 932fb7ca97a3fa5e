import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from models.accounts import Role, Tier
from models.backups import Backup, BackupStatus, BackupTrigger
from server.settings import Settings
from services.backups.job import MAX_ATTEMPTS, RetryBackup, run_export
from services.core.clock import now
from services.jobs.claims import requeue_lost_jobs, resend_queued_jobs
from tests.support.audit import audited
from tests.support.backups import (
    BACKUP,
    backup_finished,
    export_jobs_sent,
    next_manual_backup_at,
    queued_backup,
    request_backup,
)
from tests.support.graphql import GraphQLClient
from tests.support.notifications import notified_by_role
from tests.support.records import seed_contacts
from tests.support.storage import storage_that_cannot_write
from tests.support.tenants import MakeTenant, Tenant, add_super_admin


async def test_a_failing_export_is_retried_then_fails_and_gives_the_quota_back(
    gql: GraphQLClient, make_tenant: MakeTenant, settings: Settings, tmp_path: Path
) -> None:
    tenant = await make_tenant(Tier.STARTER)
    await add_super_admin(tenant)
    token = tenant.super_admin
    backup = await queued_backup(tenant, BackupTrigger.MANUAL)
    assert await next_manual_backup_at(gql, token) == backup.quota_until

    with storage_that_cannot_write(tmp_path):
        for attempt in range(1, MAX_ATTEMPTS):
            with pytest.raises(RetryBackup):
                await run_export(backup.id)
            await backup.refresh_from_db()
            assert (backup.status, backup.attempts) == (BackupStatus.QUEUED, attempt)
            assert await next_manual_backup_at(gql, token) is not None
            assert await notified_by_role(str(backup.id)) == {role: [] for role in Role}
        await run_export(backup.id)

    await backup.refresh_from_db()
    assert (backup.status, backup.attempts) == (BackupStatus.FAILED, MAX_ATTEMPTS)
    shown = (await gql.data(BACKUP, {"id": str(backup.id)}, token))["backup"]
    assert shown["status"] == "FAILED"
    assert shown["downloadUrl"] is None
    assert shown["failureReason"].startswith("NotADirectoryError: [Errno 20] Not a directory")
    assert await next_manual_backup_at(gql, token) is None
    assert await notified_by_role(str(backup.id)) == {
        Role.SUPER_ADMIN: ["BACKUP_FAILED", "BACKUP_FAILED"],
        Role.ADMIN: [],
        Role.MEMBER: [],
    }
    [event] = await audited("BACKUP_FAILED", str(backup.id))
    assert event.details["reason"] == shown["failureReason"]
    assert list(settings.storage_dir.glob(f"**/{backup.id}*")) == []
    assert list(settings.work_dir.glob(f"{backup.id}*")) == []

    # The quota given back can be used at once.
    assert (await backup_finished(await request_backup(gql, token))).status == (
        BackupStatus.SUCCEEDED
    )


@pytest.mark.parametrize("at_once", [False, True], ids=["one-after-the-other", "at-once"])
async def test_a_duplicate_delivery_exports_once(
    tenant: Tenant, settings: Settings, at_once: bool
) -> None:
    await seed_contacts(tenant, 50)
    backup = await queued_backup(tenant)
    if at_once:
        await asyncio.gather(run_export(backup.id), run_export(backup.id))
    else:
        await run_export(backup.id)
        await run_export(backup.id)

    await backup.refresh_from_db()
    assert (backup.status, backup.attempts) == (BackupStatus.SUCCEEDED, 1)
    stored = [path for path in settings.storage_dir.rglob("*") if path.is_file()]
    ours = [path for path in stored if str(tenant.account.id) in str(path)]
    assert ours == [settings.storage_dir / backup.storage_key]
    assert len(await audited("BACKUP_COMPLETED", str(backup.id))) == 1
    assert (await notified_by_role(str(backup.id)))[Role.SUPER_ADMIN] == ["BACKUP_READY"]


async def test_queued_backups_are_sent_again_at_start(tenant: Tenant) -> None:
    backup = await queued_backup(tenant)
    with export_jobs_sent() as sent:
        assert await resend_queued_jobs() >= 1
    assert sent.count(backup.id) == 1
    finished = await backup_finished(backup.id)
    assert (finished.status, finished.attempts) == (BackupStatus.SUCCEEDED, 1)


async def test_a_running_backup_whose_lease_lapsed_is_sent_again_once(tenant: Tenant) -> None:
    lease_ends = now() + timedelta(minutes=10)
    backup = await Backup.create(
        account_id=tenant.account.id,
        trigger=BackupTrigger.SCHEDULED,
        status=BackupStatus.RUNNING,
        attempts=1,
        started_at=now(),
        lease_expires_at=lease_ends,
    )
    with export_jobs_sent() as sent:
        await requeue_lost_jobs(at=lease_ends - timedelta(seconds=1))
        assert backup.id not in sent
        lapsed = lease_ends + timedelta(seconds=1)
        await asyncio.gather(requeue_lost_jobs(at=lapsed), requeue_lost_jobs(at=lapsed))
    assert sent.count(backup.id) == 1
    finished = await backup_finished(backup.id)
    assert (finished.status, finished.attempts) == (BackupStatus.SUCCEEDED, 2)
