"""Restores for the tests: deals to restore, plans of a real backup, starts, and restores
queued for the tests that play the worker."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID

from models.accounts import Role
from models.crm import PropertyType, Record
from models.restores import Restore, RestoreChange, RestoreStatus
from services.core.clock import now
from services.crm import changes as record_events
from services.crm import live_record_changes
from services.restores.diff import AppliedCounts
from tests.support.backups import backed_up
from tests.support.graphql import GraphQLClient
from tests.support.polling import poll_until, until_finished, until_listening
from tests.support.records import add_property, seed_deals, seed_records, set_values
from tests.support.tenants import Tenant
from tests.support.two_factor import enroll, step_up

PLAN = """mutation($backupId: ID!, $objectType: String!, $properties: [String!]!) {
  planRestore(backupId: $backupId, objectType: $objectType, properties: $properties) {
    id kind status plan { recordsInSource } } }"""
PLANNED = """query($id: ID!) { restore(id: $id) {
    id kind status revertsId objectType properties failureCode failureReason
    counts { recordsChanged }
    plan { valuesAsOf plannedAt recordsInSource recordsToChange recordsUnchanged recordsDeleted
           recordsPurged recordsCreatedSince conflicts conflictingRecordIds guidance
           recordsToBringBack recordsToRecreate recordsRefused
           dataChangeNotice irreversibleNotice
           properties { name label sensitive toChange toClear unchanged }
           sampleChanges { recordId recordName property currentValue restoredValue
                           currentLabel restoredLabel redacted } } } }"""
START = """mutation($planId: ID!, $data: Boolean!, $irreversible: Boolean!) {
  startRestore(planId: $planId, acknowledgeDataChange: $data,
               acknowledgeIrreversible: $irreversible) { id status kind } }"""
COUNTS = (
    "counts { recordsChanged valuesSet valuesCleared recordsUnchanged recordsSkipped conflicts }"
)
RESTORE = f"""query($id: ID!) {{ restore(id: $id) {{ id kind status failureReason revertsId
  {COUNTS} }} }}"""
PLAN_REVERT = """mutation($id: ID!) { planRevert(restoreId: $id) { id kind status revertsId } }"""
REVERT = """mutation($planId: ID!) { revertRestore(planId: $planId, acknowledgeDataChange: true,
  acknowledgeIrreversible: true) { id status } }"""
REVERTIBLE = """query($id: ID!) { restore(id: $id) { completedAt revertibleUntil } }"""


def deal(i: int, **values: str) -> dict[str, str]:
    """The values of deal number `i`; a blank value leaves the property out."""
    base = {
        "dealname": f"Deal {i}",
        "amount": str(1000 + i),
        "dealstage": "qualifiedtobuy",
        "pipeline": "default",
        "commission": "10",
    }
    return {k: v for k, v in {**base, **values}.items() if v}


async def add_sensitive_commission(tenant: Tenant) -> None:
    """A sensitive custom property on deals: plans must not show its values."""
    await add_property(
        tenant, "deals", "commission", "Commission", kind=PropertyType.NUMBER, sensitive=True
    )


async def plan(
    gql: GraphQLClient,
    tenant: Tenant,
    backup_id: str,
    properties: list[str],
    object_type: str = "deals",
) -> dict[str, Any]:
    """The plan of restoring `properties` from the backup, once its job ended."""
    variables = {"backupId": backup_id, "objectType": object_type, "properties": properties}
    queued = (await gql.data(PLAN, variables, tenant.super_admin))["planRestore"]
    # A worker may have taken the plan already.
    assert queued["status"] in ("PLAN_QUEUED", "PLANNING", "PLANNED")
    return await plan_ended(gql, tenant.super_admin, queued["id"])


async def plan_ended(gql: GraphQLClient, token: str, plan_id: str) -> dict[str, Any]:
    """The plan as the API shows it once its job ended: PLANNED, or PLAN_FAILED."""

    async def ended() -> Restore | None:
        row = await Restore.get(id=plan_id)
        return row if row.status in (RestoreStatus.PLANNED, RestoreStatus.PLAN_FAILED) else None

    await poll_until(ended, seconds=30)
    shown: dict[str, Any] = (await gql.data(PLANNED, {"id": plan_id}, token))["restore"]
    return shown


PLAN_CHOSEN = """mutation($backupId: ID!, $ids: [ID!], $comparisonId: ID) {
  planRestore(backupId: $backupId, objectType: "deals", properties: ["amount"],
              recordIds: $ids, comparisonId: $comparisonId) {
    id status recordIds comparisonId } }"""


async def planned_chosen(gql: GraphQLClient, tenant: Tenant, **variables: object) -> dict[str, Any]:
    """The plan of restoring the deals' amounts from `backupId`, limited to `ids` or to the
    records a comparison (`comparisonId`) found, once its job ended."""
    queued = (await gql.data(PLAN_CHOSEN, variables, tenant.super_admin))["planRestore"]
    return await plan_ended(gql, tenant.super_admin, queued["id"])


async def revert_planned(gql: GraphQLClient, token: str, restore_id: str) -> dict[str, Any]:
    """The revert's plan, once its job ended."""
    queued = (await gql.data(PLAN_REVERT, {"id": restore_id}, token))["planRevert"]
    assert (queued["kind"], queued["status"][:4]) == ("REVERT", "PLAN")
    return await plan_ended(gql, token, queued["id"])


async def plan_fails_as_damaged(gql: GraphQLClient, tenant: Tenant, backup_id: str) -> None:
    """Planning from the backup fails at once, saying its file is damaged; no record changed."""
    before = await Record.filter(account_id=tenant.account.id).values_list("id", "properties")
    failed = await plan(gql, tenant, backup_id, ["amount"])
    assert (failed["status"], failed["failureCode"]) == ("PLAN_FAILED", "BACKUP_FILE_DAMAGED")
    assert (await Restore.get(id=failed["id"])).attempts == 1
    after = await Record.filter(account_id=tenant.account.id).values_list("id", "properties")
    assert sorted(after) == sorted(before)


async def plan_objects(gql: GraphQLClient, tenant: Tenant, plan_id: str) -> list[dict[str, str]]:
    """The plan's object types with their refused rows' links."""
    query = """query($id: ID!) { restore(id: $id) { plan { objects {
      objectType refusedRowsDownloadUrl } } } }"""
    objects: list[dict[str, str]] = (await gql.data(query, {"id": plan_id}, tenant.super_admin))[
        "restore"
    ]["plan"]["objects"]
    return objects


# What starting a plan answers: the row as it stands once queued, which a worker may have taken
# (or, with a few records, finished) before the answer is read.
STARTED = ("QUEUED", "RUNNING", "SUCCEEDED")


def start_variables(plan_id: str, data: bool = True, irreversible: bool = True) -> dict[str, Any]:
    return {"planId": plan_id, "data": data, "irreversible": irreversible}


async def start(gql: GraphQLClient, token: str, plan_id: str) -> dict[str, Any]:
    started: dict[str, Any] = (await gql.data(START, start_variables(plan_id), token))[
        "startRestore"
    ]
    return started


async def restore_finished(restore_id: str | UUID) -> Restore:
    return await until_finished(Restore, restore_id, seconds=30)


async def planned_restore(gql: GraphQLClient, tenant: Tenant) -> str:
    """A plan to restore the amount of one of two deals; its id."""
    ids = await seed_deals(tenant, [deal(1), deal(2)])
    backup_id = await backed_up(gql, tenant)
    await set_values(ids[0], {"amount": "3"})
    return str((await plan(gql, tenant, backup_id, ["amount"]))["id"])


async def restored(gql: GraphQLClient, tenant: Tenant, ids: list[UUID]) -> str:
    """Amounts edited since the backup, then restored from it; returns the restore's id."""
    backup_id = await backed_up(gql, tenant)
    for index, record_id in enumerate(ids):
        await set_values(record_id, {"amount": str(index), "dealstage": "closedwon"})
    plan_id = str((await plan(gql, tenant, backup_id, ["amount"]))["id"])
    await step_up(tenant)
    await start(gql, tenant.super_admin, plan_id)
    assert (await restore_finished(plan_id)).status == RestoreStatus.SUCCEEDED
    return plan_id


async def queued_restore(
    gql: GraphQLClient, tenant: Tenant, records: int
) -> tuple[UUID, dict[UUID, str]]:
    """A restore of `amount` on `records` deals, every other one edited since the backup,
    QUEUED as startRestore leaves it but with no message sent. Returns its id and the backup's
    amounts."""
    ids = await seed_deals(
        tenant, [{"amount": str(i), "dealname": f"D{i}"} for i in range(records)]
    )
    backup_id = await backed_up(gql, tenant)
    await Record.filter(id__in=ids[::2]).update(properties={"amount": "edited", "dealname": "x"})
    restore_id = UUID((await plan(gql, tenant, backup_id, ["amount"]))["id"])
    await queued_unsent(restore_id, tenant)
    return restore_id, {record_id: str(i) for i, record_id in enumerate(ids)}


async def queued_unsent(plan_id: UUID, tenant: Tenant) -> None:
    """The plan QUEUED as startRestore leaves it, with no message sent, its lease long enough
    that the lost-job sweep does not hand it to the in-process worker."""
    await Restore.filter(id=plan_id).update(
        status=RestoreStatus.QUEUED,
        requested_by_id=tenant.users[Role.SUPER_ADMIN].id,
        lease_expires_at=now() + timedelta(hours=1),
        attempts=0,
        started_at=None,
    )


@contextlib.asynccontextmanager
async def first_change(tenant: Tenant) -> AsyncIterator[asyncio.Task[record_events.ChangeEvent]]:
    """A task that ends with the first change event of the account's deals: a batch committed."""
    changes = live_record_changes(tenant.account.id, "deals")
    task = asyncio.create_task(anext(changes))
    channel = record_events.channel(tenant.account.id, "deals")
    await until_listening(channel)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await changes.aclose()


async def assert_applied_once(restore_id: UUID, amounts: dict[UUID, str], batches: int) -> None:
    """The restore succeeded in `batches` batches, each applied once: half of the amounts
    changed back, and each change saved once."""
    restore = await restore_finished(restore_id)
    assert restore.status == RestoreStatus.SUCCEEDED, restore.failure_reason
    counts = AppliedCounts.model_validate(restore.counts)
    assert counts.batches_done == batches
    assert counts.records_changed == len(amounts) // 2
    assert counts.records_unchanged == len(amounts) // 2
    assert counts.values_set == len(amounts) // 2
    saved = await RestoreChange.filter(restore_id=restore_id).values_list("record_id", "batch")
    assert len(saved) == counts.records_changed
    assert {batch for _, batch in saved} == set(range(batches))
    found = dict(await Record.filter(id__in=list(amounts)).values_list("id", "properties"))
    assert {UUID(str(k)): v["amount"] for k, v in found.items()} == amounts


async def amounts_of_deals(tenant: Tenant) -> list[str | None]:
    """The amount of each of the tenant's deals, in id order."""
    deals = Record.filter(account_id=tenant.account.id, object_type__name="deals").order_by("id")
    return [deal.properties.get("amount") for deal in await deals]


async def change_amounts(tenant: Tenant, count: int) -> None:
    """The first `count` deals' amounts set to 1, behind the API's back."""
    deals = Record.filter(account_id=tenant.account.id, object_type__name="deals").order_by("id")
    for deal in (await deals)[:count]:
        await Record.filter(id=deal.id).update(properties={**deal.properties, "amount": "1"})


async def revertible_until(gql: GraphQLClient, tenant: Tenant, restore_id: str) -> str | None:
    """What the API says of the restore: until when `planRevert` accepts it."""
    shown = (await gql.data(REVERTIBLE, {"id": restore_id}, tenant.super_admin))["restore"]
    until: str | None = shown["revertibleUntil"]
    return until


PAGE_DEALS = [{"dealname": f"Deal {i}", "amount": str(1000 + i)} for i in range(8)]


async def backed_up_deals(gql: GraphQLClient, tenant: Tenant, *, changed: int = 0) -> str:
    """Eight deals backed up, the amounts of the first `changed` edited since, and two-factor
    set up for the super admin: a restore to go through in the page. Returns the backup's id."""
    await seed_records(tenant, "deals", PAGE_DEALS)
    backup_id = await backed_up(gql, tenant)
    await change_amounts(tenant, changed)
    await enroll(gql, tenant.super_admin)
    return backup_id
