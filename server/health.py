"""Health for load balancers and orchestrators: liveness (the process answers) and readiness
(the services it depends on answer, each within CHECK_TIMEOUT_SECONDS)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise import connections

from services import storage

log = logging.getLogger(__name__)

# A dependency that has not answered in this long counts as down: together the checks (run at
# once) answer within about this, where a connection timeout would take a minute.
CHECK_TIMEOUT_SECONDS = 1.0

Check = Callable[[], Awaitable[object]]


async def live(request: Request) -> JSONResponse:
    """The process answers; no I/O, so a slow database never gets the process restarted."""
    return JSONResponse({"status": "ok"})


def readiness(redis_url: str | None) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The database, Redis when configured and the storage, each named with "ok" or "down";
    503 while any is down."""
    checks: dict[str, Check] = {"database": _database, "storage": _storage}
    if redis_url is not None:
        checks["redis"] = lambda: _redis(redis_url)

    async def ready(request: Request) -> JSONResponse:
        results = await asyncio.gather(*(_passes(name, check) for name, check in checks.items()))
        states = {
            name: "ok" if passed else "down" for name, passed in zip(checks, results, strict=True)
        }
        status = 200 if all(results) else 503
        body = {"status": "ok" if status == 200 else "unavailable", "checks": states}
        return JSONResponse(body, status_code=status)

    return ready


def routes(redis_url: str | None) -> list[Route]:
    ready = readiness(redis_url)
    return [
        Route("/health/live", live),
        Route("/health/ready", ready),
        # What /health answered before the split, kept for the users that call it.
        Route("/health", ready),
    ]


async def _passes(name: str, check: Check) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await check()
    except Exception as error:
        log.warning("Readiness: %s is down (%s)", name, type(error).__name__)
        return False
    return True


async def _database() -> None:
    await connections.get("default").execute_query("SELECT 1")


async def _storage() -> None:
    await storage.current().check_ready()


async def _redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        await client.ping()
    finally:
        await client.aclose()
