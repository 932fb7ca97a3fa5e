"""Publish/subscribe for live updates: in-process in embedded mode, Redis pub/sub in production,
chosen once at start-up."""

import logging

from services.events.base import BusUnavailable, EventBus, Message
from services.events.in_process import InProcessBus
from services.events.redis import RedisBus, bounded_client

log = logging.getLogger(__name__)

_bus: EventBus = InProcessBus()


def use(bus: EventBus) -> None:
    """Select the process's bus at start-up."""
    global _bus
    _bus = bus


def bus() -> EventBus:
    return _bus


def for_url(redis_url: str | None, timeout_seconds: float = 1.0) -> EventBus:
    return RedisBus(redis_url, timeout_seconds) if redis_url else InProcessBus()


async def announce(channel: str, message: Message) -> None:
    """Publish what only live listeners need (the truth is stored elsewhere): while the bus is
    away it is lost, and logged, rather than failing the work that it reports."""
    try:
        await _bus.publish(channel, message)
    except BusUnavailable as error:
        log.warning("Not announced on %s, the event bus is away: %r", channel, error)


__all__ = [
    "BusUnavailable",
    "EventBus",
    "InProcessBus",
    "Message",
    "RedisBus",
    "announce",
    "bounded_client",
    "bus",
    "for_url",
    "use",
]
