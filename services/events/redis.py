"""Production's bus: Redis pub/sub, so any API replica serves any subscriber.

Redis may restart or the network may drop: the bus notices (an error, or no answer to its pings
within DEAD_AFTER), says so in the log, and connects again with a back-off, subscribing again
to every channel its subscribers listen to; they keep listening meanwhile and hear every message
published after the reconnect. Messages published while it was away are lost to them, as pub/sub
keeps nothing: record changes can be replayed from the outbox (`recordChanges(after:)`).
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable

import redis.asyncio as redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from services.events import metrics
from services.events.base import BusUnavailable, LocalHub, Message, drain

log = logging.getLogger(__name__)

# Reconnecting waits this long after a failure, doubling up to the most.
RECONNECT_FIRST_SECONDS = 0.1
RECONNECT_MOST_SECONDS = 5.0
# The subscription connection pings this often, and is dropped when nothing came back for
# DEAD_AFTER: a frozen server or a dead link raises no error.
PING_EVERY_SECONDS = 1.0
DEAD_AFTER_SECONDS = 3.0
READ_WAIT_SECONDS = 0.5

REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError)


def bounded_client(url: str, timeout_seconds: float, retries: int = 1) -> redis.Redis:
    """A client whose every call gives up after `timeout_seconds` for each of its tries (by
    default one retry, for a pooled connection that a Redis restart closed), instead of
    redis-py's ten retries."""
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        retry=Retry(NoBackoff(), retries),
    )


class RedisBus:
    """One Redis pub/sub connection per process; any process's publish reaches every subscriber."""

    def __init__(self, url: str, timeout_seconds: float = 1.0) -> None:
        self._redis = bounded_client(url, timeout_seconds)
        # No retry: a lost subscription connection comes to the reader, which logs the outage
        # and subscribes anew.
        self._subscriber = bounded_client(url, timeout_seconds, retries=0)
        self._hub = LocalHub()
        # The subscription connection; None while Redis is away.
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def publish(self, channel: str, message: Message) -> None:
        try:
            await self._redis.publish(channel, json.dumps(message, default=str))
        except REDIS_ERRORS as error:
            raise BusUnavailable(repr(error)) from error

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Message]]:
        async with self._lock:
            first = not self._hub.has_subscribers(channel)
            queue = self._hub.add(channel)
            if self._reader is None:
                # Connected before the caller goes on, so that it misses nothing published next.
                with contextlib.suppress(*REDIS_ERRORS):
                    await self._connect()
                self._reader = asyncio.create_task(self._read())
            elif first and self._pubsub is not None:
                await self._command(self._pubsub.subscribe(channel))
        try:
            yield drain(queue)
        finally:
            async with self._lock:
                self._hub.remove(channel, queue)
                if not self._hub.has_subscribers(channel) and self._pubsub is not None:
                    await self._command(self._pubsub.unsubscribe(channel))

    async def _command(self, command: Awaitable[object]) -> None:
        """A (un)subscription; if Redis is away, the reader reconnects and subscribes anew."""
        try:
            await command
        except REDIS_ERRORS:
            await self._drop()

    async def _read(self) -> None:
        """Deliver messages for as long as the bus is open, connecting again after any failure:
        this task must outlive every outage (any error, not only Redis's, as a connection
        closed under it by `_drop` raises what it may)."""
        wait = RECONNECT_FIRST_SECONDS
        down_since: float | None = None
        while True:
            pubsub = self._pubsub
            if pubsub is None:
                try:
                    async with self._lock:
                        pubsub = await self._connect()
                except Exception as error:
                    if down_since is None:
                        down_since = time.monotonic()
                        log.warning("Redis pub/sub is down; reconnecting: %r", error)
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, RECONNECT_MOST_SECONDS)
                    continue
                if down_since is not None:
                    down = time.monotonic() - down_since
                    log.warning(
                        "Redis pub/sub is back after %.1f s; channels subscribed again", down
                    )
                    metrics.outages.inc()
                    metrics.down_seconds.inc(down)
                wait, down_since = RECONNECT_FIRST_SECONDS, None
            try:
                await self._listen(pubsub)
            except Exception as error:
                down_since = time.monotonic()
                log.warning("Lost the Redis pub/sub connection; reconnecting: %r", error)
                await self._drop()

    async def _connect(self) -> PubSub:
        """A subscription connection, listening to every channel of the hub (hold the lock)."""
        pubsub = self._subscriber.pubsub()
        try:
            await pubsub.connect()
            channels = self._hub.channels()
            if channels:
                await pubsub.subscribe(*channels)
            self._pubsub = pubsub
        except BaseException:
            await pubsub.aclose()
            raise
        return pubsub

    async def _listen(self, pubsub: PubSub) -> None:
        """Deliver messages until the connection fails or stops answering."""
        heard = pinged = time.monotonic()
        while self._pubsub is pubsub:
            at = time.monotonic()
            if at - heard > DEAD_AFTER_SECONDS:
                raise redis.TimeoutError(f"no answer from Redis for {at - heard:.1f} s")
            if at - pinged >= PING_EVERY_SECONDS:
                await pubsub.ping()
                pinged = at
            raw = await pubsub.get_message(timeout=READ_WAIT_SECONDS)
            if raw is None:
                continue
            heard = time.monotonic()
            if raw["type"] == "message":
                self._hub.deliver(raw["channel"].decode(), json.loads(raw["data"]))

    async def _drop(self) -> None:
        """Forget the subscription connection; the reader makes a new one."""
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._drop()
        await self._subscriber.aclose()
        await self._redis.aclose()
