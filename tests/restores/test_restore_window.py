"""A backup is restored from automatically for 14 days after it completed, however long the
account keeps it: older, planRestore and startRestore refuse it (BACKUP_EXPIRED, saying until
when its file is kept), and the plan's startableUntil ends with the backup's window."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from models.accounts import Account
from models.restores import Restore, RestoreStatus
from services.core.clock import now
from tests.support.backups import backed_up, completed_ago
from tests.support.graphql import GraphQLClient, only_error
from tests.support.records import seed_deals, set_values
from tests.support.restores import (
    PLAN,
    START,
    STARTED,
    deal,
    plan,
    restore_finished,
    start,
    start_variables,
)
from tests.support.tenants import Tenant
from tests.support.two_factor import step_up

WINDOW = """query($id: ID!) { backup(id: $id) {
  status completedAt expiresAt restorableUntil downloadUrl } }"""
STARTABLE = "query($id: ID!) { restore(id: $id) { status startableUntil } }"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _window(gql: GraphQLClient, tenant: Tenant, backup_id: str) -> dict[str, Any]:
    shown: dict[str, Any] = (await gql.data(WINDOW, {"id": backup_id}, tenant.super_admin))[
        "backup"
    ]
    return shown


async def _kept_30_days(gql: GraphQLClient, tenant: Tenant) -> tuple[str, list[UUID]]:
    """A backup of two deals (their ids), made while the account keeps manual backups 30 days."""
    await Account.filter(id=tenant.account.id).update(backup_retention_days=30)
    ids = await seed_deals(tenant, [deal(1), deal(2)])
    return await backed_up(gql, tenant), ids


def _refused(body: dict[str, Any]) -> dict[str, Any]:
    extensions: dict[str, Any] = only_error(body)["extensions"]
    return extensions


async def test_a_13_day_old_backup_is_planned_and_restored(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    backup_id, ids = await _kept_30_days(gql, tenant)
    backup = await completed_ago(backup_id, timedelta(days=13))
    await set_values(ids[0], {"amount": "3"})

    planned = await plan(gql, tenant, backup_id, ["amount"])
    assert planned["status"] == "PLANNED"
    await step_up(tenant)
    assert (await start(gql, tenant.super_admin, planned["id"]))["status"] in STARTED
    assert (await restore_finished(planned["id"])).status == RestoreStatus.SUCCEEDED
    shown = await _window(gql, tenant, backup_id)
    assert backup.completed_at is not None
    assert _at(shown["restorableUntil"]) == backup.completed_at + timedelta(days=14)


async def test_a_backup_kept_past_its_14_days_is_neither_planned_nor_started(
    gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    backup_id, _ = await _kept_30_days(gql, tenant)
    # Planned half an hour before its window ends: the plan may start only until then.
    await completed_ago(backup_id, timedelta(days=14) - timedelta(minutes=30))
    planned = await plan(gql, tenant, backup_id, ["amount"])
    assert planned["status"] == "PLANNED"
    shown = await _window(gql, tenant, backup_id)
    startable = (await gql.data(STARTABLE, {"id": planned["id"]}, tenant.super_admin))["restore"]
    assert _at(startable["startableUntil"]) == _at(shown["restorableUntil"])

    # 31 minutes later, for the backup and the plan alike: the plan is fresh, the backup is not.
    backup = await completed_ago(backup_id, timedelta(days=14, minutes=1))
    row = await Restore.get(id=planned["id"])
    compared_at = now() - timedelta(minutes=1)
    await Restore.filter(id=row.id).update(plan={**row.plan, "planned_at": compared_at.isoformat()})
    await step_up(tenant)
    refused = _refused(await gql.raw(START, start_variables(planned["id"]), tenant.super_admin))
    assert backup.expires_at is not None
    assert refused == {"code": "BACKUP_EXPIRED", "keptUntil": backup.expires_at.isoformat()}
    assert (await Restore.get(id=row.id)).status == RestoreStatus.PLANNED
    startable = (await gql.data(STARTABLE, {"id": planned["id"]}, tenant.super_admin))["restore"]
    assert _at(startable["startableUntil"]) < now()

    variables = {"backupId": backup_id, "objectType": "deals", "properties": ["amount"]}
    assert _refused(await gql.raw(PLAN, variables, tenant.super_admin))["code"] == (
        "BACKUP_EXPIRED"
    )
    assert await Restore.filter(backup_id=backup_id).count() == 1

    # Kept: its file can still be downloaded, to be restored from the file.
    shown = await _window(gql, tenant, backup_id)
    assert (shown["status"], _at(shown["expiresAt"])) == ("SUCCEEDED", backup.expires_at)
    assert _at(shown["restorableUntil"]) < now() < _at(shown["expiresAt"])
    assert (await http.get(shown["downloadUrl"])).status_code == 200
