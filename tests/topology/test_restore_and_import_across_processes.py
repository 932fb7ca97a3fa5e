"""A restore and a file import started from the API process, carried out by a worker process
on the Redis broker, their change events reaching a websocket subscriber of the API process
through Redis pub/sub."""

import time
import uuid
from typing import Any

import pyotp

from services.crm import changes as record_events
from tests.conftest import GraphQLClient
from tests.graphql_ws import signed_in
from tests.polling import poll_until
from tests.workers.conftest import Tenant, Topology, until_subscribed_in_redis

CREATE_DEALS = """mutation($records: [NewRecordInput!]!) {
  createRecords(objectType: "deals", records: $records) { id } }"""
UPDATE = "mutation($records: [RecordUpdateInput!]!) { updateRecords(records: $records) { id } }"
DELETE = "mutation($ids: [ID!]!) { deleteRecords(ids: $ids) }"
AMOUNTS = """query { records(objectType: "deals", first: 100) {
  nodes { id properties(names: ["amount"]) { value } } } }"""
RECORD = "query($id: ID!) { record(id: $id) { deletedAt properties { name value } } }"
CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"
BACKUP = "query($id: ID!) { backup(id: $id) { status downloadUrl failureReason } }"
ENROLL = "mutation { startTotpEnrollment { secret } }"
CONFIRM = "mutation($code: String!) { confirmTotpEnrollment(code: $code) }"
REAUTHENTICATE = "mutation($code: String!) { reauthenticate(code: $code) { reauthenticatedUntil } }"
PLAN = """mutation($backupId: ID!) {
  planRestore(backupId: $backupId, objectType: "deals", properties: ["amount"]) {
    id plan { recordsToChange } } }"""
START = """mutation($id: ID!) { startRestore(planId: $id, acknowledgeDataChange: true,
  acknowledgeIrreversible: true) { status } }"""
RESTORE = """query($id: ID!) { restore(id: $id) { status failureReason
  counts { recordsChanged } } }"""
IMPORT = """query($id: ID!) { import(id: $id) { status failureReason
  counts { updated restoredFromRecycleBin unchanged failed } } }"""
CHANGES = """subscription { recordChanges(objectType: "deals") { recordId source jobId } }"""

DEALS = 4


async def _finished(gql: GraphQLClient, query: str, field: str, row_id: str, token: str) -> Any:
    """The job's row once it is SUCCEEDED or FAILED, as the API shows it."""

    async def check() -> Any:
        row = (await gql.data(query, {"id": row_id}, token))[field]
        return row if row["status"] in ("SUCCEEDED", "FAILED") else None

    return await poll_until(check, seconds=60)


async def _deals(gql: GraphQLClient, token: str) -> dict[str, str]:
    nodes = (await gql.data(AMOUNTS, token=token))["records"]["nodes"]
    return {node["id"]: node["properties"][0]["value"] for node in nodes}


async def _seed_and_back_up(gql: GraphQLClient, tenant: Tenant) -> tuple[dict[str, str], str]:
    """Deals with amounts, and a finished backup of them: (deal id -> amount, backup id)."""
    records = [
        {"properties": [{"name": "amount", "value": str(100 * (i + 1))}]} for i in range(DEALS)
    ]
    await gql.data(CREATE_DEALS, {"records": records}, tenant.token)
    backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
    backup = await _finished(gql, BACKUP, "backup", backup_id, tenant.token)
    assert backup["status"] == "SUCCEEDED", backup["failureReason"]
    return await _deals(gql, tenant.token), backup_id


async def _edit(gql: GraphQLClient, token: str, ids: list[str]) -> None:
    records = [{"id": i, "properties": [{"name": "amount", "value": "1"}]} for i in ids]
    await gql.data(UPDATE, {"records": records}, token)


async def _step_up(gql: GraphQLClient, token: str) -> None:
    """Two-factor set up and confirmed, then a step-up with the next step's code (one step of
    drift is allowed; the confirmed code itself cannot be used twice)."""
    secret = (await gql.data(ENROLL, token=token))["startTotpEnrollment"]["secret"]
    totp = pyotp.TOTP(secret)
    now = time.time()
    await gql.data(CONFIRM, {"code": totp.at(now)}, token)
    await gql.data(REAUTHENTICATE, {"code": totp.at(now + totp.interval)}, token)


async def test_a_worker_process_restores_and_the_api_process_tells_the_subscriber(
    topology: Topology, redis_url: str
) -> None:
    tenant = await topology.sign_up()
    async with topology.graphql() as gql:
        backed_up, backup_id = await _seed_and_back_up(gql, tenant)
        edited = sorted(backed_up)[:2]
        await _edit(gql, tenant.token, edited)
        await _step_up(gql, tenant.token)
        plan = (await gql.data(PLAN, {"backupId": backup_id}, tenant.token))["planRestore"]
        assert plan["plan"]["recordsToChange"] == len(edited)

        async with signed_in(topology.websocket_url, tenant.token) as socket:
            await socket.subscribe(CHANGES)
            channel = record_events.channel(uuid.UUID(tenant.account_id), "deals")
            await until_subscribed_in_redis(redis_url, channel)
            await gql.data(START, {"id": plan["id"]}, tenant.token)
            events = [await socket.receive(seconds=30) for _ in edited]

        restore = await _finished(gql, RESTORE, "restore", plan["id"], tenant.token)
        assert restore["status"] == "SUCCEEDED", restore["failureReason"]
        assert restore["counts"]["recordsChanged"] == len(edited)
        assert await _deals(gql, tenant.token) == backed_up
    changes = [event["payload"]["data"]["recordChanges"] for event in events]
    assert sorted(change["recordId"] for change in changes) == edited
    assert {(change["source"], change["jobId"]) for change in changes} == {("RESTORE", plan["id"])}


async def test_a_worker_process_imports_an_uploaded_backup(topology: Topology) -> None:
    tenant = await topology.sign_up()
    async with topology.graphql() as gql:
        backed_up, backup_id = await _seed_and_back_up(gql, tenant)
        deleted, edited = sorted(backed_up)[:2]
        await gql.data(DELETE, {"ids": [deleted]}, tenant.token)
        await _edit(gql, tenant.token, [edited])
        backup = (await gql.data(BACKUP, {"id": backup_id}, tenant.token))["backup"]
        archive = (await gql.http.get(backup["downloadUrl"])).content

        uploaded = await gql.http.post(
            "/imports",
            files={"file": ("backup.zip", archive, "application/zip")},
            headers={"Authorization": f"Bearer {tenant.token}"},
        )
        assert uploaded.status_code == 202, uploaded.text
        job = await _finished(gql, IMPORT, "import", uploaded.json()["id"], tenant.token)
        assert job["status"] == "SUCCEEDED", job["failureReason"]
        assert job["counts"] == {
            "updated": 1,
            "restoredFromRecycleBin": 1,
            "unchanged": DEALS - 2,
            "failed": 0,
        }
        assert await _deals(gql, tenant.token) == backed_up
        record = (await gql.data(RECORD, {"id": deleted}, tenant.token))["record"]
        assert record["deletedAt"] is None
