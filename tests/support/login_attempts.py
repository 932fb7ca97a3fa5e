"""Sign-in attempts as the tests make them: from a loopback address of their own (so that one
test's failures never lock another's), many per document, and the attempt counters directly."""

import contextlib
import random
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import redis.asyncio as redis

from services.accounts import LoginLimits
from services.attempts import AttemptCounter, InProcessAttempts, RedisAttempts, Schedule
from tests.support import external
from tests.support.graphql import GraphQLClient
from tests.support.tenants import LOGIN

# The server's defaults, which the suite's server runs with.
LIMITS = LoginLimits()
# The one key the counter tests count attempts on; each test has a counter of its own.
KEY = "key"
# One document with one `login` per alias, as the hardening limit allows at most.
MAX_ALIASES = 15


def loopback_address() -> str:
    """A loopback address other than 127.0.0.1: on Linux the whole 127/8 reaches the server,
    which sees each as a client address of its own."""
    return f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@contextlib.asynccontextmanager
async def client_at(base_url: str, address: str) -> AsyncIterator[GraphQLClient]:
    """A GraphQLClient whose connections come from `address`."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=30) as http:
        yield GraphQLClient(http)


async def login(gql: GraphQLClient, email: str, password: str) -> dict[str, Any]:
    """The whole answer to one `login`."""
    return await gql.raw(LOGIN, {"email": email, "password": password})


def outcome(answer: dict[str, Any]) -> str:
    """SIGNED_IN, or the code of a `login` answer's one error."""
    if answer.get("data"):
        return "SIGNED_IN"
    [error] = answer["errors"]
    return str(error["extensions"]["code"])


async def logins(gql: GraphQLClient, attempts: list[tuple[str, str]]) -> list[str]:
    """One document with an aliased `login` per (email, password): the outcomes of those that
    ran. Mutations run in order, and a failed `login` ends the document (its data is null)."""
    fields = " ".join(
        f'a{index}: login(email: "{email}", password: "{password}") {{ token }}'
        for index, (email, password) in enumerate(attempts)
    )
    body = await gql.raw(f"mutation {{ {fields} }}")
    if body.get("data"):
        return ["SIGNED_IN"] * len(attempts)
    [error] = body["errors"]
    ran = int(error["path"][0].removeprefix("a"))
    return ["SIGNED_IN"] * ran + [error["extensions"]["code"]]


async def admit_times(
    counter: AttemptCounter, times: int, at: datetime, schedule: Schedule
) -> list[datetime | None]:
    """`times` attempts on one key at `at`: until when each would lock it, should it fail."""
    return [await counter.admit(KEY, at, schedule) for _ in range(times)]


@contextlib.asynccontextmanager
async def redis_counters(count: int) -> AsyncIterator[tuple[AttemptCounter, ...]]:
    """`count` counters on one prefix, each with its own connections, as replicas have."""
    external.require("Redis", external.redis_url())
    prefix = f"test:{uuid.uuid4().hex}:"
    counters = [
        RedisAttempts(redis.Redis.from_url(external.redis_url()), prefix=prefix)
        for _ in range(count)
    ]
    try:
        yield tuple(counters)
    finally:
        for counter in counters:
            await counter.close()
        await _delete_prefixed(prefix)


@contextlib.asynccontextmanager
async def counter_of_kind(kind: str) -> AsyncIterator[AttemptCounter]:
    """An in-process or a Redis counter."""
    if kind == "in_process":
        yield InProcessAttempts()
        return
    async with redis_counters(1) as (counter,):
        yield counter


async def _delete_prefixed(prefix: str) -> None:
    client = redis.Redis.from_url(external.redis_url())
    try:
        keys = [key async for key in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
