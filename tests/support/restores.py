"""Restores for the tests: deals to restore, plans of a real backup, starts, and restores
queued for the tests that play the worker."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from uuid import UUID

from models.crm import ObjectType, Property, PropertyType, Record
from models.restores import Restore, RestoreChange, RestoreStatus
from services.core.clock import now
from services.crm import changes as record_events
from services.crm import live_record_changes
from services.restores.diff import AppliedCounts
from tests.support.backups import backed_up
from tests.support.graphql import GraphQLClient
from tests.support.polling import until_finished, until_listening
from tests.support.records import seed_deals, set_values
from tests.support.tenants import Tenant
from tests.support.two_factor import step_up

PLAN = """mutation($backupId: ID!, $objectType: String!, $properties: [String!]!) {
  planRestore(backupId: $backupId, objectType: $objectType, properties: $properties) {
    id kind status objectType properties counts { recordsChanged }
    plan { valuesAsOf recordsInSource recordsToChange recordsUnchanged recordsDeleted
           recordsPurged recordsCreatedSince conflicts conflictingRecordIds guidance
           dataChangeNotice irreversibleNotice
           properties { name label sensitive toChange toClear unchanged }
           sampleChanges { recordId property currentValue restoredValue redacted } } } }"""
START = """mutation($planId: ID!, $data: Boolean!, $irreversible: Boolean!) {
  startRestore(planId: $planId, acknowledgeDataChange: $data,
               acknowledgeIrreversible: $irreversible) { id status kind } }"""
COUNTS = (
    "counts { recordsChanged valuesSet valuesCleared recordsUnchanged recordsSkipped conflicts }"
)
RESTORE = f"""query($id: ID!) {{ restore(id: $id) {{ id kind status failureReason revertsId
  {COUNTS} }} }}"""
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
    await Property.create(
        object_type=await ObjectType.get(account_id=tenant.account.id, name="deals"),
        name="commission",
        label="Commission",
        type=PropertyType.NUMBER,
        sensitive=True,
    )


async def plan(
    gql: GraphQLClient,
    tenant: Tenant,
    backup_id: str,
    properties: list[str],
    object_type: str = "deals",
) -> dict[str, Any]:
    variables = {"backupId": backup_id, "objectType": object_type, "properties": properties}
    planned: dict[str, Any] = (await gql.data(PLAN, variables, tenant.super_admin))["planRestore"]
    return planned


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
    # The lease is long: the lost-job sweep must not hand it to the in-process worker.
    await Restore.filter(id=restore_id).update(
        status=RestoreStatus.QUEUED, lease_expires_at=now() + timedelta(hours=1)
    )
    return restore_id, {record_id: str(i) for i, record_id in enumerate(ids)}


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
