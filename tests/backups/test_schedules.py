import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from models.accounts import Tier
from models.schedules import BackupFrequency, BackupSchedule
from services.backups import schedules
from tests.support.graphql import GraphQLClient
from tests.support.schedules import enable_schedule, scheduled_backups
from tests.support.tenants import MakeTenant, Tenant

SCHEDULE = "{ backupSchedule { enabled frequency nextRunAt } }"
UPDATE = """mutation($enabled: Boolean!, $frequency: BackupFrequency, $at: DateTime) {
  updateBackupSchedule(enabled: $enabled, frequency: $frequency, firstRunAt: $at) {
    enabled frequency nextRunAt } }"""
T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


async def test_turning_on_and_off(gql: GraphQLClient, tenant: Tenant) -> None:
    assert (await gql.data(SCHEDULE, token=tenant.super_admin))["backupSchedule"] == {
        "enabled": False,
        "frequency": "WEEKLY",
        "nextRunAt": None,
    }
    before = datetime.now(UTC)
    on = (await gql.data(UPDATE, {"enabled": True, "frequency": "BIWEEKLY"}, tenant.super_admin))[
        "updateBackupSchedule"
    ]
    next_run = datetime.fromisoformat(on["nextRunAt"])
    assert on["frequency"] == "BIWEEKLY"
    assert before + timedelta(weeks=2) <= next_run <= datetime.now(UTC) + timedelta(weeks=2)

    first = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    chosen = await gql.data(UPDATE, {"enabled": True, "at": first.isoformat()}, tenant.super_admin)
    assert datetime.fromisoformat(chosen["updateBackupSchedule"]["nextRunAt"]) == first

    off = (await gql.data(UPDATE, {"enabled": False}, tenant.super_admin))["updateBackupSchedule"]
    assert off == {"enabled": False, "frequency": "BIWEEKLY", "nextRunAt": None}
    log = await gql.data(
        "{ auditLog(first: 10) { nodes { action details } } }", token=tenant.super_admin
    )
    changes = [e for e in log["auditLog"]["nodes"] if e["action"] == "BACKUP_SCHEDULE_UPDATED"]
    assert [e["details"]["enabled"] for e in changes] == [False, True, True]


async def test_a_first_run_in_the_past_or_without_its_zone_is_refused(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    # Which instant a time without its zone means depends on who reads it.
    zoneless = (datetime.now(UTC) + timedelta(days=1)).replace(tzinfo=None).isoformat()
    for at in (past, zoneless):
        variables = {"enabled": True, "at": at}
        assert await gql.error_code(UPDATE, variables, tenant.super_admin) == "VALIDATION_FAILED"


@pytest.mark.parametrize("tier", [Tier.STARTER, Tier.PROFESSIONAL])
async def test_enterprise_only(gql: GraphQLClient, make_tenant: MakeTenant, tier: Tier) -> None:
    tenant = await make_tenant(tier)
    assert await gql.error_code(SCHEDULE, token=tenant.super_admin) == "TIER_REQUIRED"
    assert await gql.error_code(UPDATE, {"enabled": True}, tenant.super_admin) == "TIER_REQUIRED"


async def test_super_admins_only(gql: GraphQLClient, tenant: Tenant) -> None:
    for token in (tenant.admin, tenant.member):
        assert await gql.error_code(SCHEDULE, token=token) == "FORBIDDEN"
        assert await gql.error_code(UPDATE, {"enabled": True}, token) == "FORBIDDEN"


@pytest.mark.parametrize(
    ("frequency", "period"),
    [(BackupFrequency.WEEKLY, timedelta(weeks=1)), (BackupFrequency.BIWEEKLY, timedelta(weeks=2))],
)
async def test_due_runs_create_one_scheduled_backup_and_advance(
    tenant: Tenant, frequency: BackupFrequency, period: timedelta
) -> None:
    await enable_schedule(tenant, frequency, T0)
    await schedules.run_due_schedules(at=T0 - timedelta(seconds=1))
    assert await scheduled_backups(tenant) == 0

    await schedules.run_due_schedules(at=T0)
    assert await scheduled_backups(tenant) == 1
    schedule = await BackupSchedule.get(account_id=tenant.account.id)
    assert schedule.next_run_at == T0 + period
    await schedules.run_due_schedules(at=T0 + period - timedelta(seconds=1))
    assert await scheduled_backups(tenant) == 1


async def test_missed_periods_collapse_to_one_backup(tenant: Tenant) -> None:
    await enable_schedule(tenant, BackupFrequency.WEEKLY, T0)
    downtime_over = T0 + timedelta(weeks=5, hours=1)
    await schedules.run_due_schedules(at=downtime_over)
    assert await scheduled_backups(tenant) == 1
    schedule = await BackupSchedule.get(account_id=tenant.account.id)
    assert schedule.next_run_at == T0 + timedelta(weeks=6)


async def test_racing_schedulers_make_one_backup(tenant: Tenant) -> None:
    await enable_schedule(tenant, BackupFrequency.WEEKLY, T0)
    await asyncio.gather(*(schedules.run_due_schedules(at=T0) for _ in range(4)))
    assert await scheduled_backups(tenant) == 1


async def test_scheduled_backups_leave_the_manual_quota_alone(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    await enable_schedule(tenant, BackupFrequency.WEEKLY, T0)
    await schedules.run_due_schedules(at=T0)
    account = await gql.data("{ account { nextManualBackupAt } }", token=tenant.super_admin)
    assert account["account"]["nextManualBackupAt"] is None
    await gql.data("mutation { createBackup(confirm: true) { id } }", token=tenant.super_admin)
    schedule = await BackupSchedule.get(account_id=tenant.account.id)
    assert schedule.next_run_at == T0 + timedelta(weeks=1)


async def test_a_downgraded_account_stops_running_its_schedule(tenant: Tenant) -> None:
    await enable_schedule(tenant, BackupFrequency.WEEKLY, T0)
    tenant.account.tier = Tier.PROFESSIONAL
    await tenant.account.save()
    await schedules.run_due_schedules(at=T0)
    assert await scheduled_backups(tenant) == 0


def test_following_run() -> None:
    week = timedelta(weeks=1)
    assert schedules.following_run(T0, BackupFrequency.WEEKLY, T0) == T0 + week
    assert schedules.following_run(T0, BackupFrequency.WEEKLY, T0 - week) == T0
    assert schedules.following_run(T0, BackupFrequency.BIWEEKLY, T0 + 3 * week) == T0 + 4 * week
