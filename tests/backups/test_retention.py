"""How long backups are kept: 14 days unless the account chooses, manual and scheduled apart,
shown as each backup's expiresAt and applied by the expiry pass."""

from datetime import datetime, timedelta
from typing import Any

from models.accounts import Role
from models.backups import Backup, BackupStatus, BackupTrigger
from models.notifications import Notification
from services import storage
from services.backups.service import expire_backups
from services.core.clock import now
from tests.support.audit import audited
from tests.support.backups import finished_backup, queued_backup
from tests.support.graphql import GraphQLClient
from tests.support.tenants import Tenant
from tests.support.two_factor import enroll_totp, reauthenticated, step_up

RETENTION = "{ account { backupRetentionDays scheduledBackupRetentionDays } }"
UPDATE = """mutation($days: Int!, $scheduledDays: Int) {
  updateBackupRetention(days: $days, scheduledDays: $scheduledDays) {
    backupRetentionDays scheduledBackupRetentionDays } }"""
LIST = "{ backups(first: 20) { nodes { id trigger completedAt expiresAt restorableUntil } } }"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _listed(gql: GraphQLClient, tenant: Tenant) -> dict[str, dict[str, Any]]:
    nodes = (await gql.data(LIST, token=tenant.super_admin))["backups"]["nodes"]
    return {node["id"]: node for node in nodes}


async def _completed_scheduled_backup(tenant: Tenant) -> Backup:
    """A scheduled backup's row as its job leaves it, 3 days ago, kept the default 14 days."""
    completed = now() - timedelta(days=3)
    return await Backup.create(
        account_id=tenant.account.id,
        trigger=BackupTrigger.SCHEDULED,
        status=BackupStatus.SUCCEEDED,
        completed_at=completed,
        expires_at=completed + timedelta(days=14),
        storage_key=f"accounts/{tenant.account.id}/backups/none.zip",
    )


async def test_backups_are_kept_14_days_unless_the_account_chooses(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    assert (await gql.data(RETENTION, token=tenant.super_admin))["account"] == {
        "backupRetentionDays": 14,
        "scheduledBackupRetentionDays": 14,
    }
    backup = await finished_backup(gql, tenant.super_admin)
    assert _at(backup["expiresAt"]) == _at(backup["completedAt"]) + timedelta(days=14)
    ready = await Notification.filter(account_id=tenant.account.id, kind="BACKUP_READY").first()
    assert ready is not None and "downloaded for 14 days" in ready.body


async def test_a_super_admin_sets_the_periods_and_the_kept_backups_follow(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    manual = await finished_backup(gql, tenant.super_admin)
    scheduled = await _completed_scheduled_backup(tenant)
    await step_up(tenant)
    changed = await gql.data(UPDATE, {"days": 30, "scheduledDays": 90}, tenant.super_admin)
    assert changed["updateBackupRetention"] == {
        "backupRetentionDays": 30,
        "scheduledBackupRetentionDays": 90,
    }

    listed = await _listed(gql, tenant)
    shown = listed[manual["id"]]
    assert _at(shown["expiresAt"]) == _at(shown["completedAt"]) + timedelta(days=30)
    shown = listed[str(scheduled.id)]
    assert (shown["trigger"], _at(shown["expiresAt"]) - _at(shown["completedAt"])) == (
        "SCHEDULED",
        timedelta(days=90),
    )
    [event] = await audited("BACKUP_RETENTION_UPDATED", str(tenant.account.id))
    assert (event.details["days"], event.details["scheduled_days"]) == (30, 90)

    # Omitted, the scheduled period stays.
    await gql.data(UPDATE, {"days": 20}, tenant.super_admin)
    assert (await gql.data(RETENTION, token=tenant.super_admin))["account"] == {
        "backupRetentionDays": 20,
        "scheduledBackupRetentionDays": 90,
    }


async def test_a_shorter_period_expires_older_backups_at_the_next_pass(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    backup = await finished_backup(gql, tenant.super_admin)
    stored = await Backup.get(id=backup["id"])
    assert stored.completed_at is not None
    await step_up(tenant)
    await gql.data(UPDATE, {"days": 1}, tenant.super_admin)

    await expire_backups(at=stored.completed_at + timedelta(hours=23))
    await stored.refresh_from_db()
    assert stored.status == BackupStatus.SUCCEEDED
    await expire_backups(at=stored.completed_at + timedelta(days=1, seconds=1))
    await stored.refresh_from_db()
    assert stored.status == BackupStatus.EXPIRED
    assert not await storage.current().exists(stored.storage_key)


async def test_only_a_reauthenticated_super_admin_sets_sensible_periods(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    assert await gql.error_code(UPDATE, {"days": 30}, tenant.admin) == "FORBIDDEN"
    await enroll_totp(tenant.users[Role.SUPER_ADMIN])
    assert await gql.error_code(UPDATE, {"days": 30}, tenant.super_admin) == "REAUTH_REQUIRED"
    await reauthenticated(tenant.super_admin)
    for variables in ({"days": 0}, {"days": 366}, {"days": 30, "scheduledDays": 0}):
        assert await gql.error_code(UPDATE, variables, tenant.super_admin) == "VALIDATION_FAILED"
    assert (await gql.data(RETENTION, token=tenant.super_admin))["account"] == {
        "backupRetentionDays": 14,
        "scheduledBackupRetentionDays": 14,
    }


async def test_a_backup_is_restorable_14_days_after_it_completed_never_after_it_expires(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    scheduled = await _completed_scheduled_backup(tenant)
    queued = await queued_backup(tenant)
    assert scheduled.completed_at is not None
    await step_up(tenant)

    await gql.data(UPDATE, {"days": 30, "scheduledDays": 90}, tenant.super_admin)
    shown = (await _listed(gql, tenant))[str(scheduled.id)]
    assert _at(shown["restorableUntil"]) == scheduled.completed_at + timedelta(days=14)
    assert _at(shown["expiresAt"]) == scheduled.completed_at + timedelta(days=90)

    await gql.data(UPDATE, {"days": 30, "scheduledDays": 7}, tenant.super_admin)
    shown = (await _listed(gql, tenant))[str(scheduled.id)]
    assert _at(shown["restorableUntil"]) == _at(shown["expiresAt"])
    assert _at(shown["expiresAt"]) == scheduled.completed_at + timedelta(days=7)

    # Not restorable at all: not made yet, or expired.
    assert (await _listed(gql, tenant))[str(queued.id)]["restorableUntil"] is None
    await Backup.filter(id=scheduled.id).update(status=BackupStatus.EXPIRED)
    assert (await _listed(gql, tenant))[str(scheduled.id)]["restorableUntil"] is None
