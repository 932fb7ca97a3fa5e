"""The event bus over Redis between processes: two `RedisBus` instances, each with its own
connections as two API or worker processes would have."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import redis.asyncio as redis

from services.events import Message, RedisBus
from tests.polling import poll_until

RECONNECTED_WITHIN_SECONDS = 10


@pytest.fixture
async def admin(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def buses(redis_url: str) -> AsyncIterator[tuple[RedisBus, RedisBus, str]]:
    """A publishing bus, a subscribing one, and the name the latter's connections go by."""
    name = f"subscriber-{uuid.uuid4().hex[:8]}"
    # redis-py names every connection of a client built from a URL with `client_name`.
    named_url = urlunsplit(urlsplit(redis_url)._replace(query=urlencode({"client_name": name})))
    publisher, subscriber = RedisBus(redis_url), RedisBus(named_url)
    yield publisher, subscriber, name
    await subscriber.close()
    await publisher.close()


def _channel() -> str:
    return f"test:{uuid.uuid4()}"


async def _until_subscribers(admin: redis.Redis, channel: str, count: int) -> None:
    async def reached() -> bool | None:
        subscribers = dict(await admin.pubsub_numsub(channel)).get(channel.encode(), 0)
        return subscribers == count or None

    await poll_until(reached, seconds=5)


async def test_a_message_published_by_one_process_reaches_a_subscriber_of_another(
    buses: tuple[RedisBus, RedisBus, str], admin: redis.Redis
) -> None:
    publisher, subscriber, _ = buses
    channel = _channel()
    async with subscriber.subscribe(channel) as messages:
        await _until_subscribers(admin, channel, 1)
        await publisher.publish(channel, {"job": "1", "rows": 42})
        async with asyncio.timeout(5):
            assert await anext(messages) == {"job": "1", "rows": 42}

    # The last subscriber gone, the process no longer listens to the channel.
    await _until_subscribers(admin, channel, 0)


async def test_a_bus_whose_connection_is_killed_resubscribes_and_delivers(
    buses: tuple[RedisBus, RedisBus, str], admin: redis.Redis
) -> None:
    publisher, subscriber, name = buses
    channel = _channel()
    async with subscriber.subscribe(channel) as messages:
        await _until_subscribers(admin, channel, 1)
        killed = await _kill_pubsub_connection(admin, name)
        killed_at = time.monotonic()
        received = asyncio.create_task(_next(messages))
        try:
            message = await _publish_until_received(publisher, channel, received)
        finally:
            received.cancel()
        reconnected_after = time.monotonic() - killed_at

    print(f"\npub/sub connection killed: delivering again after {reconnected_after:.1f} s")
    assert killed == 1
    assert message["after_kill"] is True


async def _kill_pubsub_connection(admin: redis.Redis, name: str) -> int:
    clients = await admin.client_list()
    subscribed = [c for c in clients if c["name"] == name and int(c.get("sub", 0)) > 0]
    assert len(subscribed) == 1, clients
    return int(await admin.client_kill_filter(_id=subscribed[0]["id"]))


async def _next(messages: AsyncIterator[Message]) -> Message:
    return await anext(messages)


async def _publish_until_received(
    publisher: RedisBus, channel: str, received: "asyncio.Task[Message]"
) -> Message:
    """Pub/sub keeps nothing for a subscriber that is away: publish until one message lands."""
    async with asyncio.timeout(RECONNECTED_WITHIN_SECONDS):
        while not received.done():
            await publisher.publish(channel, {"after_kill": True})
            await asyncio.wait({received}, timeout=0.2)
    return received.result()
