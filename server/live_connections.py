"""Websocket connections (graphql-transport-ws) held to their credential as it is now.

Every operation is authorised against the credential (a session or an API token) at the moment
it starts: it still exists and has not expired or been revoked, and the viewer carries the
user's current role. A connection closes as soon as its credential ends (sign-out, revocation:
4401), expires (4401) or its user's role changes (4403),
whichever API replica made the change: sign-outs and role changes travel over the event bus,
expiry is a timer of the connection's own. Mutations are refused: they go over POST.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from resolvers.context import Context
from schema import MAX_TOKENS
from server.bearer import connection_token
from services import accounts
from services.core.clock import now
from services.core.errors import ErrorCode, Unauthenticated
from services.core.viewer import Viewer

Closing = tuple[int, str]
SESSION_ENDED: Closing = (4401, "Session ended")
ROLE_CHANGED: Closing = (4403, "Role changed")
CLOSINGS = {
    accounts.AccessChangeKind.SESSION_ENDED: SESSION_ENDED,
    accounts.AccessChangeKind.ROLE_CHANGED: ROLE_CHANGED,
}

POST_REQUIRED = GraphQLError(
    "Mutations are only accepted over POST; the websocket carries queries and subscriptions.",
    extensions={"code": ErrorCode.POST_REQUIRED.value},
)


def is_mutation(payload: Mapping[str, Any]) -> bool:
    """Whether the operation a subscribe message asks for is a mutation. A document that does
    not parse is not one: the protocol handler refuses it as it does any other."""
    query, name = payload.get("query"), payload.get("operationName")
    if not isinstance(query, str):
        return False
    try:
        document = parse(query, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, name if isinstance(name, str) else None)
    return operation is not None and operation.operation is OperationType.MUTATION


async def until_ended(viewer: Viewer, changes: AsyncIterator[accounts.AccessChange]) -> Closing:
    """Waits for the first thing that ends the viewer's credential here: its expiry, or a
    change published for its user that concerns it."""
    credential = viewer.credential
    assert credential is not None, "a connection's viewer came with a credential"
    seconds_left = (credential.expires_at - now()).total_seconds()
    try:
        async with asyncio.timeout(seconds_left):
            while True:
                change = await anext(changes)
                if change.concerns(credential):
                    return CLOSINGS[change.kind]
    except TimeoutError:
        return SESSION_ENDED


async def session_now(token: str, client_address: str | None) -> Viewer | None:
    """The viewer as the credential stands now; None once it ended, expired or was revoked."""
    try:
        return await accounts.authenticate(token, client_address)
    except Unauthenticated:
        return None


class SessionBoundHandler(BaseGraphQLTransportWSHandler[Context, None]):
    # Closes the connection when its session ends.
    _guard: asyncio.Task[None] | None = None
    # Set once the connection is being closed: nothing more is sent on it.
    _closing = False

    async def shutdown(self) -> None:
        # First, so that the guard never closes a connection the protocol handler is ending.
        await self._stop_guard()
        await super().shutdown()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        viewer = self.context.viewer
        if self.connection_acknowledged and viewer is not None and self._guard is None:
            self._guard = asyncio.create_task(self._close_when_ended(viewer))

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self._closing:
            return
        if self.connection_acknowledged:
            viewer = await session_now(self._token, self.context.client_address)
            if viewer is None:
                await self._close(SESSION_ENDED)
                return
            if self._closing:  # while the session was read
                return
            # Shared by the connection's operations: the one about to start reads it now.
            self.context.viewer = viewer
            if is_mutation(message["payload"]):
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": [POST_REQUIRED.formatted]}
                )
                return
        await super().handle_subscribe(message)

    async def send_message(self, message: Message) -> None:
        if not self._closing:
            await super().send_message(message)

    @property
    def _token(self) -> str:
        return connection_token(self.context.connection_params) or ""

    async def _close_when_ended(self, connected: Viewer) -> None:
        async with accounts.watch_access_changes(connected.user.id) as changes:
            # What changed before the subscription took is read from the database instead.
            closing = await self._changed_since(connected) or await until_ended(connected, changes)
        await self._close(closing)

    async def _changed_since(self, connected: Viewer) -> Closing | None:
        viewer = await session_now(self._token, self.context.client_address)
        if viewer is None:
            return SESSION_ENDED
        return ROLE_CHANGED if viewer.user.role != connected.user.role else None

    async def _close(self, closing: Closing) -> None:
        """Stops every operation at once, then closes, once. The client may be leaving at the
        same moment: a connection already closed is no error."""
        if self._closing:
            return
        self._closing = True
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        code, reason = closing
        with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected):
            await self.websocket.close(code=code, reason=reason)

    async def _stop_guard(self) -> None:
        if self._guard is not None:
            self._guard.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._guard
