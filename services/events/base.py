"""What both buses share: the interface, and the hub that fans a channel out to this process's
subscribers, each with its own bounded queue: a slow websocket client can only drop its own
oldest messages, never stall the publisher."""

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

Message = dict[str, Any]

QUEUE_SIZE = 256


class BusUnavailable(Exception):
    """The bus could not publish: its server is away or does not answer in time."""


class EventBus(Protocol):
    async def publish(self, channel: str, message: Message) -> None:
        """Raises BusUnavailable when the message could not be handed over."""

    def subscribe(
        self, channel: str
    ) -> contextlib.AbstractAsyncContextManager[AsyncIterator[Message]]: ...

    async def close(self) -> None: ...


class LocalHub:
    """Fans a channel's messages out to this process's subscribers."""

    def __init__(self) -> None:
        self._queues: defaultdict[str, set[asyncio.Queue[Message]]] = defaultdict(set)

    def deliver(self, channel: str, message: Message) -> None:
        for queue in self._queues.get(channel, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    def channels(self) -> list[str]:
        return list(self._queues)

    def has_subscribers(self, channel: str) -> bool:
        return bool(self._queues.get(channel))

    def add(self, channel: str) -> asyncio.Queue[Message]:
        queue: asyncio.Queue[Message] = asyncio.Queue(QUEUE_SIZE)
        self._queues[channel].add(queue)
        return queue

    def remove(self, channel: str, queue: asyncio.Queue[Message]) -> None:
        self._queues[channel].discard(queue)
        if not self._queues[channel]:
            del self._queues[channel]


async def drain(queue: asyncio.Queue[Message]) -> AsyncIterator[Message]:
    while True:
        yield await queue.get()
