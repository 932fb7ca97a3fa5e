"""A backup requested from the API process, exported by a worker process, announced to a
websocket subscriber of the API process through Redis pub/sub, and downloaded."""

import uuid

from services.activity import notifications
from tests.support.pubsub import until_subscribed_in_redis
from tests.support.topology import Topology
from tests.support.topology_jobs import assert_backup_downloads, seed_over_api
from tests.support.websocket import signed_in

CREATE_BACKUP = "mutation { createBackup(confirm: true) { id status } }"
NOTIFICATIONS = "subscription { notifications { kind subjectId } }"

CONTACTS = [{"email": f"c{i}@example.com", "firstname": f"Contact {i}"} for i in range(5)]
COMPANIES = [{"name": "Acme", "city": "Lyon"}, {"name": "Globex"}]


async def test_a_worker_process_exports_and_the_api_process_tells_the_subscriber(
    topology: Topology, redis_url: str
) -> None:
    tenant = await topology.sign_up()
    seeded = await seed_over_api(topology, tenant, {"contacts": CONTACTS, "companies": COMPANIES})

    async with signed_in(topology.websocket_url, tenant.token) as socket:
        await socket.subscribe(NOTIFICATIONS)
        channel = notifications.channel(uuid.UUID(tenant.user_id))
        await until_subscribed_in_redis(redis_url, channel)
        async with topology.graphql() as gql:
            backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
        message = await socket.receive(seconds=30)

    assert message["type"] == "next", message
    assert message["payload"]["data"]["notifications"] == {
        "kind": "BACKUP_READY",
        "subjectId": backup_id,
    }
    await assert_backup_downloads(topology, tenant, backup_id, seeded)
