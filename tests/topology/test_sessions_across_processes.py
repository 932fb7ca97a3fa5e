"""A sign-out through one API replica closes the session's websocket on another, through Redis."""

import uuid

from services.accounts import access_changes
from tests.support.live_sessions import CLOSED_WITHIN_SECONDS, LOGOUT, MY_ROLE, answer
from tests.support.pubsub import until_subscribed_in_redis
from tests.support.topology import Topology
from tests.support.websocket import signed_in


async def test_logout_through_one_api_closes_the_socket_on_another(
    topology: Topology, redis_url: str
) -> None:
    tenant = await topology.sign_up()
    async with topology.another_api("api-2") as replica:
        websocket_url = f"{replica.replace('http://', 'ws://')}/graphql"
        async with signed_in(websocket_url, tenant.token) as socket:
            assert await answer(socket, MY_ROLE) == {
                "data": {"me": {"user": {"role": "SUPER_ADMIN"}}}
            }
            await until_subscribed_in_redis(
                redis_url, access_changes.channel(uuid.UUID(tenant.user_id))
            )
            async with topology.graphql() as gql:
                assert await gql.data(LOGOUT, token=tenant.token) == {"logout": True}
            assert await socket.close_code(seconds=CLOSED_WITHIN_SECONDS) == 4401
