"""A graphql-transport-ws client over a real websocket, for tests."""

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin, Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")
TIMEOUT = 5.0

Message = dict[str, Any]


class GraphQLWebSocket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._ids = itertools.count(1)

    async def send(self, message: Message) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, seconds: float = TIMEOUT) -> Message:
        message: Message = json.loads(await asyncio.wait_for(self.connection.recv(), seconds))
        return message

    async def init(self, payload: dict[str, str] | None = None) -> None:
        await self.send({"type": "connection_init", "payload": payload or {}})

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation_id = str(next(self._ids))
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})
        return operation_id

    async def next_payload(self, operation_id: str, seconds: float = 30) -> Any:
        """The operation's next result; fails the test on any other message."""
        message = await self.receive(seconds)
        assert (message.get("id"), message["type"]) == (operation_id, "next"), message
        return message["payload"]

    async def payloads_until_complete(self, operation_id: str, seconds: float = 30) -> list[Any]:
        """The operation's results until the server completes it; fails the test on any other
        message."""
        payloads = []
        while (message := await self.receive(seconds))["type"] != "complete":
            assert (message["id"], message["type"]) == (operation_id, "next"), message
            payloads.append(message["payload"])
        assert message["id"] == operation_id
        return payloads

    async def complete(self, operation_id: str) -> None:
        await self.send({"id": operation_id, "type": "complete"})

    async def close_code(self, seconds: float = TIMEOUT) -> int | None:
        """Wait for the server to close the connection; fails the test on any other message."""
        try:
            message = await self.receive(seconds)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        raise AssertionError(f"expected the connection to close, got {message}")


@contextlib.asynccontextmanager
async def open_socket(url: str, origin: str | None = None) -> AsyncIterator[GraphQLWebSocket]:
    handshake_origin = Origin(origin) if origin else None
    async with connect(url, subprotocols=[PROTOCOL], origin=handshake_origin) as connection:
        yield GraphQLWebSocket(connection)


@contextlib.asynccontextmanager
async def signed_in(url: str, token: str) -> AsyncIterator[GraphQLWebSocket]:
    """A connection acknowledged for the bearer of `token`."""
    async with open_socket(url) as socket:
        await socket.init({"Authorization": f"Bearer {token}"})
        ack = await socket.receive()
        assert ack["type"] == "connection_ack", ack
        yield socket
