"""Counted attempts per key, locked for a while once too many are counted: in process memory
in embedded mode, in Redis in production, chosen once at start-up."""

from redis.asyncio import Redis

from services.attempts.base import AttemptCounter, Locked, Schedule
from services.attempts.in_process import InProcessAttempts
from services.attempts.redis import RedisAttempts

_counter: AttemptCounter = InProcessAttempts()


def use(counter: AttemptCounter) -> None:
    """Select the process's counter at start-up."""
    global _counter
    _counter = counter


def counter() -> AttemptCounter:
    return _counter


def for_redis(client: Redis | None) -> AttemptCounter:
    """Counters in Redis through `client` (it bounds how long a call may wait), or in memory."""
    return RedisAttempts(client) if client is not None else InProcessAttempts()


__all__ = [
    "AttemptCounter",
    "InProcessAttempts",
    "Locked",
    "RedisAttempts",
    "Schedule",
    "counter",
    "for_redis",
    "use",
]
