"""Websockets and the session behind them: ending, expiring or demoting it through the API, or
quietly in the database (as if the event announcing it were lost), and what a socket answers."""

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

from models.accounts import AuthMethod, Role, Session, User
from services.accounts import access_changes
from services.accounts import sessions as auth
from services.core.clock import now
from tests.support.polling import until_listening
from tests.support.tenants import Tenant
from tests.support.websocket import GraphQLWebSocket, signed_in

LOGOUT = "mutation { logout }"
SET_ROLE = "mutation($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { role } }"
MY_ROLE = "{ me { user { role } } }"
# ADMIN or SUPER_ADMIN only.
AUDIT_LOG = "{ auditLog(first: 1) { nodes { action } } }"
# The README's promise: a session ended or changed elsewhere closes its sockets within a second.
CLOSED_WITHIN_SECONDS = 1.0


@contextlib.asynccontextmanager
async def admin_sockets(
    websocket_url: str, tenant: Tenant
) -> AsyncIterator[tuple[GraphQLWebSocket, GraphQLWebSocket]]:
    """Two sockets of the tenant's admin: one on the tenant's session, one on another."""
    other_session = await auth.start_session(tenant.users[Role.ADMIN], AuthMethod.PASSWORD)
    async with (
        signed_in(websocket_url, tenant.admin) as first,
        signed_in(websocket_url, other_session) as second,
    ):
        yield first, second


async def until_guarded(user: User) -> None:
    """Until the server listens for the user's access changes: a change made from now on
    reaches the user's sockets through the event bus (this process's, as the server's)."""
    await until_listening(access_changes.channel(user.id))


async def until_unguarded(user: User) -> None:
    """Until no socket of the user's is left on the server."""
    await until_listening(access_changes.channel(user.id), listening=False)


async def answer(socket: GraphQLWebSocket, query: str) -> dict[str, Any]:
    """A query's one result over the socket (data and errors); fails the test on anything
    else."""
    operation_id = await socket.subscribe(query)
    [payload] = await socket.payloads_until_complete(operation_id, seconds=5)
    return dict(payload)


async def refusal(socket: GraphQLWebSocket, query: str) -> list[dict[str, Any]]:
    """The errors of an operation the server refuses before running it."""
    operation_id = await socket.subscribe(query)
    message = await socket.receive()
    assert (message["id"], message["type"]) == (operation_id, "error"), message
    errors: list[dict[str, Any]] = message["payload"]
    return errors


async def expiring(token: str, seconds: float) -> None:
    """The session of `token` ends `seconds` from now (in the past when negative)."""
    expires_at = now() + timedelta(seconds=seconds)
    await Session.filter(token_hash=auth.hash_token(token)).update(expires_at=expires_at)


async def expire_quietly(token: str) -> None:
    """The session of `token` expired a moment ago."""
    await expiring(token, seconds=-1)


async def delete_quietly(token: str) -> None:
    """The session gone from the database, with no event announcing it."""
    await Session.filter(token_hash=auth.hash_token(token)).delete()


async def demote_quietly(user: User) -> None:
    """The user made a MEMBER in the database, with no event announcing it."""
    await User.filter(id=user.id).update(role=Role.MEMBER)


def leave_abruptly(socket: GraphQLWebSocket) -> None:
    """The client gone without a closing handshake, as a dropped network would leave it."""
    socket.connection.transport.abort()


class ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """The ERROR records logged while the block runs, the server's (uvicorn keeps its own
    loggers off the root one) as well as the application's."""
    handler = ErrorRecords()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
