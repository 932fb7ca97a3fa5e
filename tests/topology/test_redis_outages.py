"""The production topology through outages of its Redis (one of the module's own, stopped and
started again or frozen): live subscribers keep their sockets and hear what is published after
Redis is back, reads answer as usual, and a job asked for meanwhile is QUEUED and runs once
Redis is back."""

import time
import uuid

import pytest

from services.crm import changes as record_events
from tests.support.outbox import commit_changes
from tests.support.pubsub import until_subscribed_in_redis
from tests.support.redis_server import RedisServer
from tests.support.topology import Topology
from tests.support.topology_jobs import BACKUP, finished_over_api
from tests.support.websocket import signed_in

CHANGES = 'subscription { recordChanges(objectType: "deals") { id recordId } }'
CREATE_BACKUP = "mutation { createBackup(confirm: true) { id status } }"
ME = "query { me { user { email } } }"
LOGIN = 'mutation { login(email: "someone@example.com", password: "a password") { token } }'
AFTER_RESTART = 5
# What a read may take, whatever Redis does: it does not touch Redis.
READ_WITHIN_SECONDS = 1.0
# A mutation that sends a job waits for Redis at most its timeout (1 s), twice.
SEND_WITHIN_SECONDS = 3.0


async def test_a_live_subscriber_keeps_its_socket_and_hears_what_follows_a_redis_restart(
    outage_topology: Topology, own_redis: RedisServer
) -> None:
    topology = outage_topology
    tenant = await topology.sign_up()
    channel = record_events.channel(uuid.UUID(tenant.account_id), "deals")
    db = await topology.connect()
    try:
        async with signed_in(topology.websocket_url, tenant.token) as socket:
            await socket.subscribe(CHANGES)
            await until_subscribed_in_redis(own_redis.url, channel)
            own_redis.stop()
            own_redis.start()
            # The API subscribes again by itself; from then on, nothing is missed.
            await until_subscribed_in_redis(own_redis.url, channel)
            sent = [str(uuid.uuid4()) for _ in range(AFTER_RESTART)]
            for record_id in sent:
                await commit_changes(db, tenant.account_id, "deals", [record_id])
            heard = [await socket.receive(seconds=10) for _ in sent]
    finally:
        await db.close()

    assert [message["payload"]["data"]["recordChanges"]["recordId"] for message in heard] == sent
    assert "Redis pub/sub is back after" in topology.logs()


@pytest.mark.parametrize("outage", ["down", "frozen"])
async def test_a_backup_asked_for_while_redis_is_away_is_queued_and_runs_once_it_is_back(
    outage_topology: Topology, own_redis: RedisServer, outage: str
) -> None:
    topology = outage_topology
    tenant = await topology.sign_up()
    async with topology.graphql() as gql:
        own_redis.stop() if outage == "down" else own_redis.freeze()
        try:
            started = time.monotonic()
            assert (await gql.data(ME, token=tenant.token))["me"]["user"]["email"]
            read_in = time.monotonic() - started
            started = time.monotonic()
            created = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]
            created_in = time.monotonic() - started
            # Sign-in counts attempts in Redis: it cannot say yes or no meanwhile.
            login = await gql.http.post("/graphql", json={"query": LOGIN})
        finally:
            own_redis.start() if outage == "down" else own_redis.thaw()
        backup = await finished_over_api(gql, BACKUP, "backup", created["id"], tenant.token)

    print(f"\nRedis {outage}: a read took {read_in:.2f} s, createBackup {created_in:.2f} s")
    assert created["status"] == "QUEUED"
    assert backup["status"] == "SUCCEEDED", backup["failureReason"]
    assert read_in < READ_WITHIN_SECONDS
    assert created_in < SEND_WITHIN_SECONDS
    assert login.status_code == 503
    assert login.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
