"""The event bus over Redis between processes: two `RedisBus` instances, each with its own
connections as two API or worker processes would have."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import redis.asyncio as redis

from services.events import RedisBus
from tests.support.pubsub import (
    kill_pubsub_connection,
    new_channel,
    next_message,
    publish_until_received,
    until_subscribers,
)


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


async def test_a_message_published_by_one_process_reaches_a_subscriber_of_another(
    buses: tuple[RedisBus, RedisBus, str], admin: redis.Redis
) -> None:
    publisher, subscriber, _ = buses
    channel = new_channel()
    async with subscriber.subscribe(channel) as messages:
        await until_subscribers(admin, channel, 1)
        await publisher.publish(channel, {"job": "1", "rows": 42})
        async with asyncio.timeout(5):
            assert await anext(messages) == {"job": "1", "rows": 42}

    # The last subscriber gone, the process no longer listens to the channel.
    await until_subscribers(admin, channel, 0)


async def test_a_bus_whose_connection_is_killed_resubscribes_and_delivers(
    buses: tuple[RedisBus, RedisBus, str], admin: redis.Redis
) -> None:
    publisher, subscriber, name = buses
    channel = new_channel()
    async with subscriber.subscribe(channel) as messages:
        await until_subscribers(admin, channel, 1)
        killed = await kill_pubsub_connection(admin, name)
        killed_at = time.monotonic()
        received = asyncio.create_task(next_message(messages))
        try:
            message = await publish_until_received(publisher, channel, received)
        finally:
            received.cancel()
        reconnected_after = time.monotonic() - killed_at

    print(f"\npub/sub connection killed: delivering again after {reconnected_after:.1f} s")
    assert killed == 1
    assert message["after_kill"] is True
