"""`crm-backup serve` in production mode as a real process, for what its health says when a
service it depends on is down."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.support.cli import cli_env
from tests.support.network import free_port
from tests.support.processes import Process
from tests.support.storage import BACKUP_KEYS

SECRET_KEY = "health-secret-key-that-is-long-enough-for-settings"


@contextlib.asynccontextmanager
async def production_api(
    cwd: Path, database_url: str, redis_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The API over `database_url` and `redis_url`, from when it answers /health/live; a
    client of it."""
    port = free_port()
    env = cli_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET_KEY,
        BACKUP_KEYS=BACKUP_KEYS,
        STORAGE_DIR=str(cwd / "storage"),
        WORK_DIR=str(cwd / "work"),
        PORT=str(port),
    )
    api = Process("api", ["serve"], cwd=cwd, env=env)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            await _until_live(api, http)
            yield http
    finally:
        api.stop()


async def _until_live(api: Process, http: httpx.AsyncClient) -> None:
    async with asyncio.timeout(30):
        while True:
            if not api.alive():
                pytest.fail(f"The API stopped during start-up:\n{api.output()}")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health/live")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
