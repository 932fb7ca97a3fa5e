import asyncio
from pathlib import Path
from uuid import uuid4

import pytest

from models.accounts import Role, Tier
from models.backups import BackupStatus, BackupTrigger
from server.settings import Settings
from services.backups.job import run_export, sweep_scratch
from services.jobs import EXPORT_BACKUP, RetryJob
from tests.support.audit import audited
from tests.support.backups import (
    BACKUP,
    backup_finished,
    next_manual_backup_at,
    queued_backup,
    request_backup,
)
from tests.support.graphql import GraphQLClient
from tests.support.notifications import notified_by_role
from tests.support.storage import storage_that_cannot_write
from tests.support.tenants import MakeTenant, Tenant, add_super_admin

MAX_ATTEMPTS = EXPORT_BACKUP.max_attempts


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
            with pytest.raises(RetryJob):
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
    assert shown["failureCode"] == "STORAGE_UNAVAILABLE"
    assert shown["failureReason"] == (
        "The file storage or the server's disk could not be used. Try again later; if it keeps "
        "failing, ask the administrator to check the storage."
    )
    assert str(tmp_path) not in shown["failureReason"]
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


async def test_scratch_files_of_a_dead_attempt_go_with_its_streams_parts(
    tenant: Tenant, tmp_path: Path
) -> None:
    dead = f"{uuid4()}-1.zip"
    left = [tmp_path / dead, tmp_path / f"{dead}.0.part", tmp_path / f"{dead}.12.part"]
    kept = tmp_path / f"{dead}.notes"
    for path in [*left, kept]:
        path.write_bytes(b"left")
    assert await sweep_scratch(tmp_path) == len(left)
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == [kept]
