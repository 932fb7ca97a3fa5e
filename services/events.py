"""Publish/subscribe for live updates: in-process in embedded mode, Redis pub/sub in production.

Both deliver through one local hub per process: each subscriber has its own bounded queue, so a
slow websocket client can only drop its own oldest messages, never stall the publisher.
"""

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

import redis.asyncio as redis

log = logging.getLogger(__name__)

Message = dict[str, Any]

QUEUE_SIZE = 256


class EventBus(Protocol):
    async def publish(self, channel: str, message: Message) -> None: ...

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


async def _drain(queue: asyncio.Queue[Message]) -> AsyncIterator[Message]:
    while True:
        yield await queue.get()


class InProcessBus:
    def __init__(self) -> None:
        self._hub = LocalHub()

    async def publish(self, channel: str, message: Message) -> None:
        self._hub.deliver(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        queue = self._hub.add(channel)
        try:
            yield _drain(queue)
        finally:
            self._hub.remove(channel, queue)

    async def close(self) -> None:
        return None


class RedisBus:
    """One Redis pub/sub connection per process; any process's publish reaches every subscriber."""

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._hub = LocalHub()
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def publish(self, channel: str, message: Message) -> None:
        await self._redis.publish(channel, json.dumps(message, default=str))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        async with self._lock:
            first = not self._hub.has_subscribers(channel)
            queue = self._hub.add(channel)
            if first:
                await self._pubsub.subscribe(channel)
            if self._reader is None:
                self._reader = asyncio.create_task(self._read())
        try:
            yield _drain(queue)
        finally:
            async with self._lock:
                self._hub.remove(channel, queue)
                if not self._hub.has_subscribers(channel):
                    await self._pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        # redis-py re-subscribes to the channels after a reconnect.
        while True:
            try:
                raw = await self._pubsub.get_message(timeout=1.0)
            except (redis.ConnectionError, redis.TimeoutError):
                log.warning("Lost the Redis pub/sub connection; retrying", exc_info=True)
                await asyncio.sleep(1)
                continue
            if raw is not None:
                self._hub.deliver(raw["channel"].decode(), json.loads(raw["data"]))

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()


_bus: EventBus = InProcessBus()


def use(bus: EventBus) -> None:
    """Select the process's bus at start-up."""
    global _bus
    _bus = bus


def bus() -> EventBus:
    return _bus


def for_url(redis_url: str | None) -> EventBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()
