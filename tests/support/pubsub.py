"""Redis pub/sub seen from outside the processes under test: who subscribes, connections
killed, messages published until one lands."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import redis.asyncio as redis

from services.events import BusUnavailable, Message, RedisBus
from tests.support.polling import poll_until

RECONNECTED_WITHIN_SECONDS = 10


def new_channel() -> str:
    return f"test:{uuid.uuid4()}"


async def until_subscribers(
    client: redis.Redis, channel: str, count: int, seconds: float = 5
) -> None:
    """Until Redis counts `count` subscribers of the channel (0: none left)."""

    async def reached() -> bool | None:
        subscribers = dict(await client.pubsub_numsub(channel)).get(channel.encode(), 0)
        return subscribers == count or None

    await poll_until(reached, seconds=seconds)


async def until_subscribed_in_redis(redis_url: str, channel: str) -> None:
    """A process (the API's single event hub) has subscribed to the channel in Redis: nothing
    published from now on can be missed (the websocket protocol does not acknowledge a
    subscription)."""
    client = redis.Redis.from_url(redis_url)
    try:
        await until_subscribers(client, channel, 1, seconds=10)
    finally:
        await client.aclose()


async def kill_pubsub_connection(admin: redis.Redis, name: str) -> int:
    """Kills the subscribed connection of the client called `name`; how many were killed."""
    clients = await admin.client_list()
    subscribed = [c for c in clients if c["name"] == name and int(c.get("sub", 0)) > 0]
    assert len(subscribed) == 1, clients
    return int(await admin.client_kill_filter(_id=subscribed[0]["id"]))


async def next_message(messages: AsyncIterator[Message]) -> Message:
    return await anext(messages)


async def publish_until_received(
    publisher: RedisBus, channel: str, received: "asyncio.Task[Message]"
) -> Message:
    """Pub/sub keeps nothing for a subscriber that is away: publish until one message lands (a
    publisher whose Redis is away too fails meanwhile)."""
    async with asyncio.timeout(RECONNECTED_WITHIN_SECONDS):
        while not received.done():
            with contextlib.suppress(BusUnavailable):
                await publisher.publish(channel, {"after_kill": True})
            await asyncio.wait({received}, timeout=0.2)
    return received.result()


async def received_in_order(
    publisher: RedisBus, channel: str, messages: AsyncIterator[Message], count: int
) -> list[Message]:
    """`count` messages published one by one, as the subscriber hears them."""
    for number in range(count):
        await publisher.publish(channel, {"number": number})
    async with asyncio.timeout(5):
        return [await anext(messages) for _ in range(count)]
