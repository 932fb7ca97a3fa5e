"""Telling an outage (the database or Redis does not answer) from a fault of the code, so that
callers can answer SERVICE_UNAVAILABLE, a condition to wait out, rather than an internal error."""

import asyncpg
import redis
from tortoise.exceptions import DBConnectionError

# A connection refused, reset or timed out; PostgreSQL's connection exceptions (class 08: a
# pooled connection the server closed among them), its "starting up" and "shutting down"
# answers; Redis away.
_OUTAGES: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    redis.ConnectionError,
    redis.TimeoutError,
)


def is_outage(error: BaseException) -> bool:
    """Whether `error`, or an error it was raised from (Tortoise wraps the driver's), says a
    service does not answer."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, _OUTAGES):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
