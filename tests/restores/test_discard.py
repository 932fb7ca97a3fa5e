"""A plan not started can be put aside: it can no longer be started, it is audited, and a
started restore cannot be discarded. The API also says which object types can be restored and
whether the account holds any record."""

from models.restores import RestoreStatus
from tests.support.audit import audited
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_deals
from tests.support.restores import (
    START,
    deal,
    planned_restore,
    restore_finished,
    start,
    start_variables,
)
from tests.support.servers import Server
from tests.support.tenants import Tenant
from tests.support.two_factor import step_up
from tests.support.websocket import signed_in

DISCARD = """mutation($id: ID!) { discardRestorePlan(planId: $id) {
  id status startableUntil } }"""
STARTABLE = "query($id: ID!) { restore(id: $id) { status startableUntil } }"
PROGRESS = "subscription($id: ID!) { jobProgress(id: $id) { status } }"


async def test_a_discarded_plan_cannot_be_started(gql: GraphQLClient, tenant: Tenant) -> None:
    plan_id = await planned_restore(gql, tenant)
    before = (await gql.data(STARTABLE, {"id": plan_id}, tenant.super_admin))["restore"]
    assert before["status"] == "PLANNED" and before["startableUntil"] is not None

    discarded = await gql.data(DISCARD, {"id": plan_id}, tenant.super_admin)
    assert discarded["discardRestorePlan"] == {
        "id": plan_id,
        "status": "PLAN_DISCARDED",
        "startableUntil": None,
    }
    again = await gql.data(DISCARD, {"id": plan_id}, tenant.super_admin)
    assert again["discardRestorePlan"]["status"] == "PLAN_DISCARDED", "discarding twice is fine"
    assert len(await audited("RESTORE_PLAN_DISCARDED", plan_id)) == 1

    await step_up(tenant)
    code = await gql.error_code(START, start_variables(plan_id), tenant.super_admin)
    assert code == "VALIDATION_FAILED"


async def test_a_discarded_plan_ends_its_progress_stream(
    server: Server, gql: GraphQLClient, tenant: Tenant
) -> None:
    plan_id = await planned_restore(gql, tenant)
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(PROGRESS, {"id": plan_id})
        # The state comes first; the server listens once it has answered.
        assert (await socket.receive())["payload"]["data"]["jobProgress"]["status"] == "PLANNED"
        await gql.data(DISCARD, {"id": plan_id}, tenant.super_admin)
        rest = await socket.payloads_until_complete(operation_id)
    assert [payload["data"]["jobProgress"]["status"] for payload in rest] == ["PLAN_DISCARDED"]


async def test_only_a_super_admin_discards_and_only_an_unstarted_plan(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    plan_id = await planned_restore(gql, tenant)
    assert await gql.error_code(DISCARD, {"id": plan_id}, tenant.admin) == "FORBIDDEN"

    await step_up(tenant)
    await start(gql, tenant.super_admin, plan_id)
    assert (await restore_finished(plan_id)).status == RestoreStatus.SUCCEEDED
    code = await gql.error_code(DISCARD, {"id": plan_id}, tenant.super_admin)
    assert code == "VALIDATION_FAILED", "a restore that ran is not a plan to discard"


async def test_the_api_says_what_can_be_restored_and_whether_there_is_anything(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    query = "{ account { holdsRecords } objectTypes { name restorable } }"
    data = await gql.data(query, token=tenant.super_admin)
    assert data["account"]["holdsRecords"] is False
    restorable = {item["name"]: item["restorable"] for item in data["objectTypes"]}
    assert restorable["conversations"] is False
    assert restorable["deals"] and restorable["contacts"]

    await seed_deals(tenant, [deal(1)])
    data = await gql.data(query, token=tenant.super_admin)
    assert data["account"]["holdsRecords"] is True
