"""/health/live answers while the process does; /health/ready (and /health, its old name)
names each service it depends on, and answers 503 within about a second when one is down or
hangs."""

import time
from pathlib import Path

import httpx

from tests.support.health import production_api
from tests.support.network import silent_port
from tests.support.redis_server import redis_server
from tests.support.servers import Server

# The checks' own timeout is a second; the rest is the request's way there and back.
PROMPT_SECONDS = 2.0


async def timed_get(http: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await http.get(path)
    return response, time.monotonic() - started


async def test_embedded_is_live_and_ready(http: httpx.AsyncClient) -> None:
    live = await http.get("/health/live")
    ready = await http.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    # No Redis when embedded, so none is checked.
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok"}}
    assert (await http.get("/health")).json() == ready.json()


async def test_the_root_leads_to_the_admin_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/admin"


async def test_redis_down_is_named_at_once(
    tmp_path: Path, server: Server, database_url: str
) -> None:
    with redis_server(tmp_path) as redis:
        async with production_api(tmp_path, database_url, redis.url) as api:
            before = await api.get("/health/ready")
            assert before.status_code == 200, before.text
            assert before.json()["checks"] == {"database": "ok", "storage": "ok", "redis": "ok"}

            redis.stop()
            ready, seconds = await timed_get(api, "/health/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "ok", "storage": "ok", "redis": "down"}
            assert seconds < PROMPT_SECONDS
            assert (await api.get("/health")).status_code == 503
            assert (await api.get("/health/live")).status_code == 200


async def test_a_database_that_hangs_is_named_within_the_timeout(tmp_path: Path) -> None:
    with redis_server(tmp_path) as redis, silent_port() as port:
        database_url = f"postgres://postgres@127.0.0.1:{port}/crm_backup"
        async with production_api(tmp_path, database_url, redis.url) as api:
            ready, seconds = await timed_get(api, "/health/ready")
            live = await api.get("/health/live")
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "checks": {"database": "down", "storage": "ok", "redis": "ok"},
    }
    assert seconds < PROMPT_SECONDS
    assert live.status_code == 200
