"""A worker process killed between a restore batch's commit and its publication loses no change
event: the batch waits in the outbox, a relay publishes it, and a subscriber that resumes after
the last event it heard (`recordChanges(after:)`) gets every changed record.

To hold the worker between commit and publication, the topology's own Redis is frozen once the
first event is heard: the worker goes on committing batches whose events it cannot hand over,
and is killed with some of them unsent."""

import uuid
from typing import Any

from services.crm import changes as record_events
from tests.support.outbox import unsent
from tests.support.polling import poll_until
from tests.support.pubsub import until_subscribed_in_redis
from tests.support.redis_server import RedisServer
from tests.support.topology import Topology
from tests.support.topology_jobs import (
    BACKUP,
    CREATE_BACKUP,
    finished_over_api,
    planned_over_api,
    step_up_over_api,
)
from tests.support.websocket import GraphQLWebSocket, signed_in

# Enough batches of 1,000 that some remain when Redis freezes.
DEALS = 12_000
SEED = """
    INSERT INTO records (id, account_id, object_type_id, properties, created_at, updated_at)
    SELECT gen_random_uuid(), $1, o.id, jsonb_build_object('amount', i::text), now(), now()
    FROM object_types o, generate_series(1, $2) AS i
    WHERE o.account_id = $1 AND o.name = 'deals'
"""
EDIT = 'UPDATE records SET properties = \'{"amount": "edited"}\' WHERE account_id = $1'
IDS = "SELECT id FROM records WHERE account_id = $1"
PLAN = """mutation($backupId: ID!) {
  planRestore(backupId: $backupId, objectType: "deals", properties: ["amount"]) { id } }"""
START = """mutation($id: ID!) { startRestore(planId: $id, acknowledgeDataChange: true,
  acknowledgeIrreversible: true) { status } }"""
RESTORE = "query($id: ID!) { restore(id: $id) { status failureReason } }"
CHANGES = """subscription($after: ID) {
  recordChanges(objectType: "deals", after: $after) { id recordId } }"""
# A subscriber has heard everything once nothing more comes for this long.
QUIET_SECONDS = 3.0


async def test_a_worker_killed_between_commit_and_publication_loses_no_change_event(
    outage_topology: Topology, own_redis: RedisServer
) -> None:
    topology = outage_topology
    tenant = await topology.sign_up()
    account_id = uuid.UUID(tenant.account_id)
    db = await topology.connect()

    async def some_unsent() -> bool | None:
        return await unsent(db, tenant.account_id) > 0 or None

    async def all_sent() -> bool | None:
        return await unsent(db, tenant.account_id) == 0 or None

    try:
        await db.execute(SEED, account_id, DEALS)
        deals = {str(row["id"]) for row in await db.fetch(IDS, account_id)}
        async with topology.graphql() as gql:
            backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
            backup = await finished_over_api(gql, BACKUP, "backup", backup_id, tenant.token)
            assert backup["status"] == "SUCCEEDED", backup["failureReason"]
            await db.execute(EDIT, account_id)
            await step_up_over_api(gql, tenant.token)
            plan_id = (await gql.data(PLAN, {"backupId": backup_id}, tenant.token))["planRestore"]
            await planned_over_api(gql, plan_id["id"], tenant.token)
            async with signed_in(topology.websocket_url, tenant.token) as socket:
                await socket.subscribe(CHANGES)
                channel = record_events.channel(account_id, "deals")
                await until_subscribed_in_redis(own_redis.url, channel)
                await gql.data(START, {"id": plan_id["id"]}, tenant.token)
                first = _change(await socket.receive(seconds=30))

                own_redis.freeze()
                try:
                    await poll_until(some_unsent, seconds=30)
                    topology.kill_workers()
                finally:
                    own_redis.thaw()
                topology.start_worker("worker-after-kill")
                restore = await finished_over_api(
                    gql, RESTORE, "restore", plan_id["id"], tenant.token
                )
                await poll_until(all_sent, seconds=30)
                heard_live = await _until_quiet(socket)
            async with signed_in(topology.websocket_url, tenant.token) as resumed:
                await resumed.subscribe(CHANGES, {"after": first["id"]})
                replayed = await _until_quiet(resumed)
    finally:
        await db.close()

    print(f"\nkilled with unsent batches: {len(heard_live) + 1} events heard live, "
          f"{len(replayed)} replayed after the first")  # fmt: skip
    assert restore["status"] == "SUCCEEDED", restore["failureReason"]
    assert {change["recordId"] for change in replayed} | {first["recordId"]} == deals
    # Each event keeps its id, however it came.
    by_id = {change["id"]: change["recordId"] for change in [first, *heard_live, *replayed]}
    assert len(by_id) == DEALS


def _change(message: dict[str, Any]) -> dict[str, str]:
    assert message["type"] == "next", message
    change: dict[str, str] = message["payload"]["data"]["recordChanges"]
    return change


async def _until_quiet(socket: GraphQLWebSocket) -> list[dict[str, str]]:
    changes = []
    while True:
        try:
            changes.append(_change(await socket.receive(seconds=QUIET_SECONDS)))
        except TimeoutError:
            return changes
