"""The event bus over Redis between processes: two `RedisBus` instances, each with its own
connections as two API or worker processes would have; and the bus through outages of a Redis
the tests own (stopped and started again, frozen and thawed)."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY

from services.events import BusUnavailable, RedisBus
from tests.support.polling import poll_until
from tests.support.pubsub import (
    kill_pubsub_connection,
    new_channel,
    next_message,
    publish_until_received,
    received_in_order,
    until_subscribers,
)
from tests.support.redis_server import RedisServer


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


# Outages of a Redis of the module's own: the bus connects again by itself.

PUBLISHED_AFTER_RECONNECT = 20
# A publish waits at most its timeout, twice (one retry).
PUBLISH_BOUND_SECONDS = 2 * 1.0 + 0.5


@pytest.fixture
async def own_buses(own_redis: RedisServer) -> AsyncIterator[tuple[RedisBus, RedisBus]]:
    """A publishing bus and a subscribing one, on the module's own Redis."""
    publisher, subscriber = RedisBus(own_redis.url), RedisBus(own_redis.url)
    yield publisher, subscriber
    await subscriber.close()
    await publisher.close()


async def test_a_subscriber_hears_every_message_published_after_redis_restarts(
    own_redis: RedisServer,
    own_buses: tuple[RedisBus, RedisBus],
    caplog: pytest.LogCaptureFixture,
) -> None:
    publisher, subscriber = own_buses
    channel = new_channel()
    outages = REGISTRY.get_sample_value("crm_backup_event_bus_outages_total") or 0
    async with subscriber.subscribe(channel) as messages:
        assert await received_in_order(publisher, channel, messages, 1) == [{"number": 0}]
        own_redis.stop()
        started_at = time.monotonic()
        with pytest.raises(BusUnavailable):
            await publisher.publish(channel, {"while": "down"})
        assert time.monotonic() - started_at < PUBLISH_BOUND_SECONDS
        own_redis.start()
        restarted_at = time.monotonic()
        received = asyncio.create_task(next_message(messages))
        await publish_until_received(publisher, channel, received)
        print(f"\nRedis restarted: delivering again after {time.monotonic() - restarted_at:.1f} s")
        heard = await received_in_order(publisher, channel, messages, PUBLISHED_AFTER_RECONNECT)

    assert heard == [{"number": n} for n in range(PUBLISHED_AFTER_RECONNECT)]
    logged = [record.getMessage() for record in caplog.records]
    assert any("Lost the Redis pub/sub connection" in line for line in logged), logged
    assert any("Redis pub/sub is back after" in line for line in logged), logged
    # The outage is counted too, once it is over.
    assert REGISTRY.get_sample_value("crm_backup_event_bus_outages_total") == outages + 1


async def test_a_frozen_redis_is_noticed_and_left_behind_once_it_answers(
    own_redis: RedisServer,
    own_buses: tuple[RedisBus, RedisBus],
    caplog: pytest.LogCaptureFixture,
) -> None:
    publisher, subscriber = own_buses
    channel = new_channel()
    async with subscriber.subscribe(channel) as messages:
        assert await received_in_order(publisher, channel, messages, 1) == [{"number": 0}]
        own_redis.freeze()
        try:
            started_at = time.monotonic()
            with pytest.raises(BusUnavailable):
                await publisher.publish(channel, {"while": "frozen"})
            assert time.monotonic() - started_at < PUBLISH_BOUND_SECONDS
            # No error comes from a frozen server: the bus notices the silence.
            await poll_until(
                lambda: _logged(caplog, "Lost the Redis pub/sub connection"), seconds=10
            )
        finally:
            own_redis.thaw()
        received = asyncio.create_task(next_message(messages))
        await publish_until_received(publisher, channel, received)
        heard = await received_in_order(publisher, channel, messages, PUBLISHED_AFTER_RECONNECT)

    assert heard == [{"number": n} for n in range(PUBLISHED_AFTER_RECONNECT)]


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool | None:
    return any(text in record.getMessage() for record in caplog.records) or None
