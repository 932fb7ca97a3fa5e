"""Choosing and configuring the Dramatiq broker for this process."""

import asyncio

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

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


def production(redis_url: str, database_url: str) -> dramatiq.Broker:
    broker = RedisBroker(
        url=redis_url,
        heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
    )
    broker.add_middleware(DaemonAsyncIO())
    broker.add_middleware(DatabaseConnection(database_url))
    broker.add_middleware(RecordChangeRelay())
    return _activate(broker)
