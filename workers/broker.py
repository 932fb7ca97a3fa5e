"""Choosing and configuring the Dramatiq broker for this process."""

import asyncio

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from redis.backoff import NoBackoff
from redis.retry import Retry

from workers.loops import DaemonAsyncIO, DatabaseConnection, SharedAppLoop
from workers.relay import RecordChangeRelay

# A killed worker's unacked messages return after the heartbeat times out *and* a maintenance
# pass runs; dramatiq's defaults make that take minutes, these make it seconds.
HEARTBEAT_TIMEOUT_MS = 15_000
MAINTENANCE_CHANCE = 100_000  # out of 1,000,000 commands


def _activate(broker: dramatiq.Broker) -> dramatiq.Broker:
    """Make `broker` the global one, with every actor declared on it."""
    dramatiq.set_broker(broker)
    # Imported only now: an actor binds to the broker that is global when it is declared.
    from workers import actors

    for actor in actors.ACTORS.values():
        if actor.broker is not broker:
            actor.broker = broker
            broker.declare_actor(actor)
    actors.register()
    return broker


def embedded(loop: asyncio.AbstractEventLoop) -> dramatiq.Broker:
    """In-process broker; actors share the server's event loop and database connections."""
    broker = StubBroker()
    broker.add_middleware(SharedAppLoop(loop))
    return _activate(broker)


def production(redis_url: str, database_url: str, timeout_seconds: float) -> dramatiq.Broker:
    # Every call bounded (redis-py would retry ten times, and nothing times out a frozen server).
    client = redis.Redis.from_url(
        redis_url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        retry=Retry(NoBackoff(), 1),
    )
    broker = RedisBroker(
        client=client,
        heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    broker.add_middleware(DaemonAsyncIO())
    # Before the database's: at shutdown the relay stops before the connections close (it
    # starts once every middleware has booted).
    broker.add_middleware(RecordChangeRelay())
    broker.add_middleware(DatabaseConnection(database_url))
    return _activate(broker)
