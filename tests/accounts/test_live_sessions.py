"""A websocket holds to its session as it is now: sign-out, expiry and a role change close it,
every operation is authorised against the session of the moment, and mutations go over POST."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from models.accounts import AuthMethod, Role
from services.accounts import access_changes
from services.accounts import sessions as auth
from services.activity import notifications
from tests.support.graphql import GraphQLClient
from tests.support.live_sessions import (
    AUDIT_LOG,
    CLOSED_WITHIN_SECONDS,
    LOGOUT,
    MY_ROLE,
    SET_ROLE,
    admin_sockets,
    answer,
    delete_quietly,
    demote_quietly,
    errors_logged,
    expire_quietly,
    expiring,
    leave_abruptly,
    refusal,
    until_guarded,
    until_unguarded,
)
from tests.support.notifications import listen_for_notifications
from tests.support.servers import Server
from tests.support.tenants import Tenant
from tests.support.websocket import signed_in

SOCKETS = 40
# Short enough that the server is still handling one departure when the change arrives.
DEPARTURE_GAP_SECONDS = 0.0005


async def test_logout_closes_that_sessions_sockets_and_nothing_more_is_delivered(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    user = tenant.users[Role.ADMIN]
    async with admin_sockets(server.websocket_url, tenant) as (ended, kept):
        await listen_for_notifications(ended, user)
        await until_guarded(user)

        assert await gql.data(LOGOUT, token=tenant.admin) == {"logout": True}
        await notifications.notify([user], "INFO", "After the sign-out")

        # Closed before the notification could reach it: `close_code` fails on any message.
        assert await ended.close_code(seconds=CLOSED_WITHIN_SECONDS) == 4401
        # The user's other session is not the one that ended.
        assert await answer(kept, MY_ROLE) == {"data": {"me": {"user": {"role": "ADMIN"}}}}


async def test_an_expiring_session_closes_its_socket_without_any_event(
    server: Server, tenant: Tenant
) -> None:
    user = tenant.users[Role.ADMIN]
    await expiring(tenant.admin, seconds=1)
    async with signed_in(server.websocket_url, tenant.admin) as socket:
        await listen_for_notifications(socket, user)
        assert await socket.close_code(seconds=1 + CLOSED_WITHIN_SECONDS) == 4401


async def test_a_role_change_closes_the_users_sockets(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    user = tenant.users[Role.ADMIN]
    async with (
        admin_sockets(server.websocket_url, tenant) as (first, second),
        signed_in(server.websocket_url, tenant.super_admin) as bystander,
    ):
        for socket in (first, second):
            await listen_for_notifications(socket, user)
        await until_guarded(user)

        demotion = {"id": str(user.id), "role": "MEMBER"}
        assert await gql.data(SET_ROLE, demotion, tenant.super_admin) == {
            "setUserRole": {"role": "MEMBER"}
        }
        await notifications.notify([user], "INFO", "After the demotion")

        for socket in (first, second):
            assert await socket.close_code(seconds=CLOSED_WITHIN_SECONDS) == 4403
        # Another user's socket carries on.
        assert await answer(bystander, MY_ROLE) == {
            "data": {"me": {"user": {"role": "SUPER_ADMIN"}}}
        }


async def test_mutations_are_refused_over_the_websocket(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    async with signed_in(server.websocket_url, tenant.admin) as socket:
        [error] = await refusal(socket, LOGOUT)
        assert error["extensions"] == {"code": "POST_REQUIRED"}
        # Also when the mutation is one operation of a document that holds a query.
        document = "query Role { me { user { role } } } mutation Out { logout }"
        named = {"query": document, "operationName": "Out"}
        await socket.send({"id": "out", "type": "subscribe", "payload": named})
        assert (await socket.receive())["type"] == "error"

        # The session is intact and the socket still answers queries.
        assert await answer(socket, MY_ROLE) == {"data": {"me": {"user": {"role": "ADMIN"}}}}
    assert await gql.data(MY_ROLE, token=tenant.admin) == {"me": {"user": {"role": "ADMIN"}}}


async def test_a_query_after_a_demotion_has_only_the_new_roles_rights(
    server: Server, tenant: Tenant
) -> None:
    user = tenant.users[Role.ADMIN]
    async with signed_in(server.websocket_url, tenant.admin) as socket:
        await until_guarded(user)
        assert "errors" not in await answer(socket, AUDIT_LOG)

        # No event: the operation itself reads the role as it is now.
        await demote_quietly(user)
        [error] = (await answer(socket, AUDIT_LOG))["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert await answer(socket, MY_ROLE) == {"data": {"me": {"user": {"role": "MEMBER"}}}}


@pytest.mark.parametrize("end", [delete_quietly, expire_quietly])
async def test_an_operation_on_an_ended_session_closes_the_socket(
    server: Server, tenant: Tenant, end: Callable[[str], Awaitable[None]]
) -> None:
    user = tenant.users[Role.ADMIN]
    async with signed_in(server.websocket_url, tenant.admin) as socket:
        await until_guarded(user)
        assert "errors" not in await answer(socket, AUDIT_LOG)

        # No event: the operation itself finds the session ended.
        await end(tenant.admin)
        await socket.subscribe(AUDIT_LOG)
        assert await socket.close_code() == 4401


async def test_sockets_that_leave_as_their_session_changes_log_no_error(
    server: Server, tenant: Tenant
) -> None:
    user = tenant.users[Role.ADMIN]
    tokens = [await auth.start_session(user, AuthMethod.PASSWORD) for _ in range(SOCKETS)]
    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(signed_in(server.websocket_url, token))
            for token in tokens
        ]
        for socket in sockets:
            await listen_for_notifications(socket, user)
        await until_guarded(user)

        with errors_logged() as errors:
            # The clients leave one by one and the change is published (here, to choose the
            # moment) halfway: the server closes some sockets already gone, some leaving.
            for index, socket in enumerate(sockets):
                leave_abruptly(socket)
                await asyncio.sleep(DEPARTURE_GAP_SECONDS)
                if index == SOCKETS // 2:
                    await access_changes.role_changed(user.id)
            await until_unguarded(user)
    assert [record.getMessage() for record in errors] == []
