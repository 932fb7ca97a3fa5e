"""Production's bus: Redis pub/sub, so any API replica serves any subscriber."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

import redis.asyncio as redis

from services.events.base import LocalHub, Message, drain

log = logging.getLogger(__name__)


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
            yield drain(queue)
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
