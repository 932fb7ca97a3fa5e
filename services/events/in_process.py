"""Embedded mode's bus: publish and subscribe within this process."""

import contextlib
from collections.abc import AsyncIterator

from services.events.base import LocalHub, Message, drain


class InProcessBus:
    def __init__(self) -> None:
        self._hub = LocalHub()

    async def publish(self, channel: str, message: Message) -> None:
        self._hub.deliver(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        queue = self._hub.add(channel)
        try:
            yield drain(queue)
        finally:
            self._hub.remove(channel, queue)

    async def close(self) -> None:
        return None
