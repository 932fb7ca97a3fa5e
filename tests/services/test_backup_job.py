from pathlib import Path

import pytest

from models.accounts import Role, Tier
from models.audit import AuditEvent
from models.backups import Backup, BackupStatus, BackupTrigger
from models.notifications import Notification
from server.settings import Settings
from services.backups.job import run_export
from services.jobs import EXPORT_BACKUP, RetryJob
from tests.conftest import GraphQLClient, MakeTenant
from tests.server.test_backups import (
    BACKUP,
    add_super_admin,
    next_manual_backup_at,
    queued_backup,
    request_backup,
    wait_until_finished,
)
from tests.support.jobs import unusable_storage

MAX_ATTEMPTS = EXPORT_BACKUP.max_attempts


async def notified(backup: Backup) -> dict[Role, list[str]]:
    """The kinds of notification stored about the backup, by the role of their users."""
    found = Notification.filter(subject_id=str(backup.id)).values_list("user__role", "kind")
    kinds: dict[Role, list[str]] = {role: [] for role in Role}
    for role, kind in await found:
        kinds[Role(role)].append(kind)
    return kinds


async def audited(backup: Backup, action: str) -> list[AuditEvent]:
    return await AuditEvent.filter(target_id=str(backup.id), action=action)


async def test_a_failing_export_is_retried_then_fails_and_gives_the_quota_back(
    gql: GraphQLClient, make_tenant: MakeTenant, settings: Settings, tmp_path: Path
) -> None:
    tenant = await make_tenant(Tier.STARTER)
    await add_super_admin(tenant)
    token = tenant.super_admin
    backup = await queued_backup(tenant, BackupTrigger.MANUAL)
    assert await next_manual_backup_at(gql, token) == backup.quota_until

    with unusable_storage(tmp_path):
        for attempt in range(1, MAX_ATTEMPTS):
            with pytest.raises(RetryJob):
                await run_export(backup.id)
            await backup.refresh_from_db()
            assert (backup.status, backup.attempts) == (BackupStatus.QUEUED, attempt)
            assert await next_manual_backup_at(gql, token) is not None
            assert await notified(backup) == {role: [] for role in Role}
        await run_export(backup.id)

    await backup.refresh_from_db()
    assert (backup.status, backup.attempts) == (BackupStatus.FAILED, MAX_ATTEMPTS)
    shown = (await gql.data(BACKUP, {"id": str(backup.id)}, token))["backup"]
    assert shown["status"] == "FAILED"
    assert shown["downloadUrl"] is None
    assert shown["failureReason"].startswith("NotADirectoryError: [Errno 20] Not a directory")
    assert await next_manual_backup_at(gql, token) is None
    assert await notified(backup) == {
        Role.SUPER_ADMIN: ["BACKUP_FAILED", "BACKUP_FAILED"],
        Role.ADMIN: [],
        Role.MEMBER: [],
    }
    [event] = await audited(backup, "BACKUP_FAILED")
    assert event.details["reason"] == shown["failureReason"]
    assert list(settings.storage_dir.glob(f"**/{backup.id}*")) == []
    assert list(settings.work_dir.glob(f"{backup.id}*")) == []

    # The quota given back can be used at once.
    assert (await wait_until_finished(await request_backup(gql, token))).status == (
        BackupStatus.SUCCEEDED
    )
