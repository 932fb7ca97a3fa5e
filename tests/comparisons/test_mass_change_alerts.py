from datetime import UTC, datetime
from typing import Any

from models.accounts import Role
from models.audit import AuditEvent
from models.backups import Backup, BackupTrigger
from models.comparisons import Comparison, ComparisonStatus
from models.notifications import Notification
from models.schedules import BackupFrequency
from services.accounts import sessions as auth
from services.backups import schedules
from services.crm.records import delete_records
from tests.support.backups import backed_up, backup_finished, let_quota_window_pass
from tests.support.comparisons import (
    MASS_CHANGES,
    SETTINGS,
    UPDATE_SETTINGS,
    thresholds,
    update_settings,
    watched,
)
from tests.support.graphql import GraphQLClient, only_error
from tests.support.notifications import listen_for_notifications, stored_notifications
from tests.support.polling import poll_until
from tests.support.records import seed_deals, seed_records, set_values
from tests.support.restores import deal
from tests.support.schedules import enable_schedule
from tests.support.servers import Server
from tests.support.tenants import Tenant
from tests.support.websocket import signed_in

PROJECTS = """mutation {
  createCustomObjectType(input: {name: "projects", singularLabel: "Project",
                                 pluralLabel: "Projects"}) { id } }"""


def _fine(**changes: Any) -> dict[str, Any]:
    return {"thresholds": thresholds(5, 10, 3)} | changes


async def _refused(
    gql: GraphQLClient, tenant: Tenant, settings: dict[str, Any]
) -> tuple[str, str | None]:
    """The field a refused update names, and the object type whose thresholds it is."""
    body = await gql.raw(UPDATE_SETTINGS, {"input": settings}, tenant.super_admin)
    extensions = only_error(body)["extensions"]
    assert extensions["code"] == "VALIDATION_FAILED", extensions
    return extensions["field"], extensions["objectType"]


async def _backup(gql: GraphQLClient, tenant: Tenant) -> str:
    await let_quota_window_pass(tenant.account)
    return await backed_up(gql, tenant)


async def _mass_changes(gql: GraphQLClient, tenant: Tenant, backup_id: str) -> list[Any]:
    comparison = await watched(backup_id)
    assert comparison.status == ComparisonStatus.SUCCEEDED, comparison.failure_reason
    shown = (await gql.data(MASS_CHANGES, {"id": str(comparison.id)}, tenant.super_admin))[
        "comparison"
    ]
    assert (shown["afterBackup"], shown["toBackupId"]) == (True, backup_id)
    return [
        (each["objectType"], each["property"], each["count"], each["outOf"])
        for each in shown["result"]["massChanges"]
    ]


async def _alerts(tenant: Tenant, count: int) -> list[tuple[str, str]]:
    """The super admin's MASS_CHANGE_DETECTED notifications (subject and body), once there are
    `count`: they are sent after the comparison's outcome commits."""

    async def stored() -> list[tuple[str, str]] | None:
        found = Notification.filter(
            user_id=tenant.users[Role.SUPER_ADMIN].id, kind="MASS_CHANGE_DETECTED"
        ).order_by("created_at")
        alerts = [(each.subject_id, each.body) for each in await found]
        return alerts if len(alerts) >= count else None

    return await poll_until(stored, seconds=10)


async def _ready_told(tenant: Tenant, backup_id: str) -> None:
    """Once the backup's BACKUP_READY is stored: its comparison, if any, is queued by then."""

    async def told() -> list[str] | None:
        return await stored_notifications(tenant.users[Role.SUPER_ADMIN], backup_id) or None

    await poll_until(told, seconds=10)


async def test_the_settings_have_defaults_and_are_for_super_admins(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    shown = (await gql.data(SETTINGS, token=tenant.super_admin))["massChangeAlertSettings"]
    assert shown == {"enabled": True, "thresholds": thresholds(5, 10, 50), "objectTypes": []}
    own = {"objectType": "deals"} | thresholds(20, 30, 10)
    updated = await update_settings(gql, tenant, thresholds(5, 10, 3), objectTypes=[own])
    assert updated["objectTypes"] == [own]
    assert (await gql.data(SETTINGS, token=tenant.super_admin))[
        "massChangeAlertSettings"
    ] == updated
    assert await gql.error_code(SETTINGS, token=tenant.admin) == "FORBIDDEN"
    # Each refusal names the field, and whose thresholds it is (null: the account's).
    bad = {"enabled": True, "thresholds": thresholds(100, 10, 3)}
    assert await _refused(gql, tenant, bad) == ("deletedPercent", None)
    too_few = {"objectType": "deals"} | thresholds(5, 10, 0)
    assert await _refused(gql, tenant, bad | _fine(objectTypes=[too_few])) == (
        "minimumCount",
        "deals",
    )
    unknown = bad | _fine(objectTypes=[own | {"objectType": "nope"}])
    assert await _refused(gql, tenant, unknown) == ("objectType", "nope")
    assert await gql.error_code(UPDATE_SETTINGS, {"input": bad}, tenant.admin) == "FORBIDDEN"
    assert (
        await AuditEvent.filter(
            account_id=tenant.account.id, action="MASS_CHANGE_SETTINGS_UPDATED"
        ).count()
        == 1
    )


async def test_alerts_fire_just_over_the_thresholds_and_not_at_or_under_them(
    gql: GraphQLClient, tenant: Tenant, server: Server
) -> None:
    await gql.data(PROJECTS, token=tenant.super_admin)
    own = {"objectType": "projects"} | thresholds(5, 10, 1)
    await update_settings(gql, tenant, thresholds(5, 10, 3), objectTypes=[own])
    ids = await seed_deals(tenant, [deal(i) for i in range(60)])
    projects = await seed_records(tenant, "projects", [{"name": "P"}, {"name": "Q"}])
    companies = await seed_records(tenant, "companies", [{"name": "C"}, {"name": "D"}])
    first = await backed_up(gql, tenant)
    # The first backup has none before it: nothing to compare.
    assert not await Comparison.filter(to_backup_id=first).exists()
    viewer = await auth.authenticate(tenant.super_admin)
    # 3 of 60 deleted: 5 %, not more. Amounts: 5 of 57 (8.8 %); stages: 6 of 57 (10.5 %).
    await delete_records(viewer, ids[:3])
    for record_id in ids[3:8]:
        await set_values(record_id, {"amount": "1"})
    for record_id in ids[3:9]:
        await set_values(record_id, {"dealstage": "closedwon"})
    second = await _backup(gql, tenant)
    assert await _mass_changes(gql, tenant, second) == [("deals", "dealstage", 6, 57)]
    comparison = await watched(second)
    [(subject, body)] = await _alerts(tenant, 1)
    assert subject == str(comparison.id)
    assert body == "Since the previous backup: Deals, Deal stage: 6 of 57 values changed."
    [audited] = await AuditEvent.filter(account_id=tenant.account.id, action="MASS_CHANGE_DETECTED")
    assert (audited.target_id, audited.actor_id) == (str(comparison.id), None)
    assert audited.details["objects"] == [] and audited.details["properties"] == ["deals.dealstage"]
    assert audited.details["comparisonId"] == str(comparison.id)

    # 3 of 57 deleted (5.3 %); both projects (their own minimum of 1); both companies, under
    # the account's minimum of 3. Heard live.
    await delete_records(viewer, [*ids[3:6], *(each.id for each in projects + companies)])
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        listening = await listen_for_notifications(socket, tenant.users[Role.SUPER_ADMIN])
        third = await _backup(gql, tenant)
        heard = {
            each["kind"]: each
            for each in [
                (await socket.next_payload(listening))["data"]["notifications"] for _ in range(2)
            ]
        }
    assert heard["BACKUP_READY"]["subjectId"] == third
    assert await _mass_changes(gql, tenant, third) == [
        ("deals", None, 3, 57),
        ("projects", None, 2, 2),
    ]
    alert = heard["MASS_CHANGE_DETECTED"]
    assert alert["subjectId"] == str((await watched(third)).id)
    assert "Deals: 3 of 57 records removed; Projects: 2 of 2 records removed" in alert["body"]

    # Off for the account: no comparison after a backup, no alert.
    await update_settings(gql, tenant, thresholds(5, 10, 3), enabled=False)
    await delete_records(viewer, ids[6:30])
    fourth = await _backup(gql, tenant)
    # The backup's comparison, if any, is queued before its own notification is stored.
    await _ready_told(tenant, fourth)
    assert not await Comparison.filter(to_backup_id=fourth).exists()
    assert len(await _alerts(tenant, 2)) == 2


async def test_a_scheduled_backup_raises_the_alert(gql: GraphQLClient, tenant: Tenant) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(100)])
    first = await backed_up(gql, tenant)
    viewer = await auth.authenticate(tenant.super_admin)
    await delete_records(viewer, ids[:60])
    at = datetime.now(UTC)
    await enable_schedule(tenant, BackupFrequency.WEEKLY, at)
    await schedules.run_due_schedules(at=at)
    scheduled = await Backup.get(account_id=tenant.account.id, trigger=BackupTrigger.SCHEDULED)
    await backup_finished(scheduled.id)
    comparison = await watched(scheduled.id)
    assert str(comparison.from_backup_id) == first
    [(subject, body)] = await _alerts(tenant, 1)
    assert subject == str(comparison.id)
    assert body == "Since the previous backup: Deals: 60 of 100 records removed."
