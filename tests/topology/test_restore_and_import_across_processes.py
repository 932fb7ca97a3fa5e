"""A restore and a file import started from the API process, carried out by a worker process
on the Redis broker, their change events reaching a websocket subscriber of the API process
through Redis pub/sub."""

import uuid

from services.crm import changes as record_events
from tests.support.pubsub import until_subscribed_in_redis
from tests.support.topology import Topology
from tests.support.topology_jobs import (
    BACKUP,
    deal_amounts,
    deals_backed_up,
    edit_amounts,
    finished_over_api,
    planned_over_api,
    step_up_over_api,
)
from tests.support.websocket import signed_in

DELETE = "mutation($ids: [ID!]!) { deleteRecords(ids: $ids) }"
RECORD = "query($id: ID!) { record(id: $id) { deletedAt properties { name value } } }"
PLAN = """mutation($backupId: ID!) {
  planRestore(backupId: $backupId, objectType: "deals", properties: ["amount"]) { id } }"""
START = """mutation($id: ID!) { startRestore(planId: $id, acknowledgeDataChange: true,
  acknowledgeIrreversible: true) { status } }"""
RESTORE = """query($id: ID!) { restore(id: $id) { status failureReason
  counts { recordsChanged } } }"""
IMPORTS = """{ imports(first: 5) { nodes { restoreId
  counts { updated restoredFromRecycleBin unchanged failed } } } }"""
CHANGES = """subscription { recordChanges(objectType: "deals") { recordId source jobId } }"""

DEALS = 4


async def test_a_worker_process_restores_and_the_api_process_tells_the_subscriber(
    topology: Topology, redis_url: str
) -> None:
    tenant = await topology.sign_up()
    async with topology.graphql() as gql:
        backed_up, backup_id = await deals_backed_up(gql, tenant, DEALS)
        edited = sorted(backed_up)[:2]
        await edit_amounts(gql, tenant.token, edited)
        await step_up_over_api(gql, tenant.token)
        # A worker process compares the backup with the records.
        queued = (await gql.data(PLAN, {"backupId": backup_id}, tenant.token))["planRestore"]
        plan = await planned_over_api(gql, queued["id"], tenant.token)
        assert plan["plan"]["recordsToChange"] == len(edited)

        async with signed_in(topology.websocket_url, tenant.token) as socket:
            await socket.subscribe(CHANGES)
            channel = record_events.channel(uuid.UUID(tenant.account_id), "deals")
            await until_subscribed_in_redis(redis_url, channel)
            await gql.data(START, {"id": plan["id"]}, tenant.token)
            events = [await socket.receive(seconds=30) for _ in edited]

        restore = await finished_over_api(gql, RESTORE, "restore", plan["id"], tenant.token)
        assert restore["status"] == "SUCCEEDED", restore["failureReason"]
        assert restore["counts"]["recordsChanged"] == len(edited)
        assert await deal_amounts(gql, tenant.token) == backed_up
    changes = [event["payload"]["data"]["recordChanges"] for event in events]
    assert sorted(change["recordId"] for change in changes) == edited
    assert {(change["source"], change["jobId"]) for change in changes} == {("RESTORE", plan["id"])}


async def test_a_worker_process_imports_an_uploaded_backup(topology: Topology) -> None:
    tenant = await topology.sign_up()
    async with topology.graphql() as gql:
        backed_up, backup_id = await deals_backed_up(gql, tenant, DEALS)
        deleted, edited = sorted(backed_up)[:2]
        await gql.data(DELETE, {"ids": [deleted]}, tenant.token)
        await edit_amounts(gql, tenant.token, [edited])
        backup = (await gql.data(BACKUP, {"id": backup_id}, tenant.token))["backup"]
        archive = (await gql.http.get(backup["downloadUrl"])).content

        uploaded = await gql.http.post(
            "/imports",
            files={"file": ("backup.zip", archive, "application/zip")},
            headers={"Authorization": f"Bearer {tenant.token}"},
        )
        assert uploaded.status_code == 202, uploaded.text
        plan_id = uploaded.json()["id"]
        await planned_over_api(gql, plan_id, tenant.token)
        await step_up_over_api(gql, tenant.token)
        await gql.data(START, {"id": plan_id}, tenant.token)
        restore = await finished_over_api(gql, RESTORE, "restore", plan_id, tenant.token)
        assert restore["status"] == "SUCCEEDED", restore["failureReason"]
        entries = (await gql.data(IMPORTS, token=tenant.token))["imports"]["nodes"]
        [job] = [entry for entry in entries if entry["restoreId"] == plan_id]
        assert job["counts"] == {
            "updated": 1,
            "restoredFromRecycleBin": 1,
            "unchanged": DEALS - 2,
            "failed": 0,
        }
        assert await deal_amounts(gql, tenant.token) == backed_up
        record = (await gql.data(RECORD, {"id": deleted}, tenant.token))["record"]
        assert record["deletedAt"] is None
