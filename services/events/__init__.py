"""Publish/subscribe for live updates: in-process in embedded mode, Redis pub/sub in production,
chosen once at start-up."""

from services.events.base import EventBus, Message
from services.events.in_process import InProcessBus
from services.events.redis import RedisBus

_bus: EventBus = InProcessBus()


def use(bus: EventBus) -> None:
    """Select the process's bus at start-up."""
    global _bus
    _bus = bus


def bus() -> EventBus:
    return _bus


def for_url(redis_url: str | None) -> EventBus:
    return RedisBus(redis_url) if redis_url else InProcessBus()


__all__ = ["EventBus", "InProcessBus", "Message", "RedisBus", "bus", "for_url", "use"]
