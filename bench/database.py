"""The database the benchmark runs on: by default a throwaway one, created and dropped here."""

import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from services.core.database import SERVER_SETTINGS

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/test"
THROWAWAY = "crm_backup_bench"
MIGRATE_TIMEOUT_SECONDS = 300


def server_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or DEFAULT_SERVER_URL


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def driver_url(url: str) -> str:
    """The URL asyncpg accepts (the service also takes the asyncpg:// scheme)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


async def connect_as_the_service(url: str) -> asyncpg.Connection:
    """A floor's connection, set as the service's own are: its statements run as the product's."""
    return await asyncpg.connect(driver_url(url), server_settings=SERVER_SETTINGS)


@asynccontextmanager
async def throwaway(keep: bool) -> AsyncIterator[str]:
    """A fresh, empty database on the local server; dropped afterwards unless `keep`."""
    url = with_database(server_url(), THROWAWAY)
    if sessions := await _sessions_on(THROWAWAY):
        raise RuntimeError(
            f"{THROWAWAY} is in use ({sessions} connections): another benchmark is running. "
            "Wait for it, or give this one --database-url and a --redis-url of its own."
        )
    await _admin(f"DROP DATABASE IF EXISTS {THROWAWAY}")
    await _admin(f"CREATE DATABASE {THROWAWAY}")
    try:
        yield url
    finally:
        if keep:
            print(f"Kept the database: {url}")
        else:
            await _admin(f"DROP DATABASE IF EXISTS {THROWAWAY} WITH (FORCE)")


async def _admin(statement: str) -> None:
    # CREATE/DROP DATABASE run from the maintenance database, never from the one they target.
    connection = await asyncpg.connect(driver_url(with_database(server_url(), "postgres")))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _sessions_on(name: str) -> int:
    connection = await asyncpg.connect(driver_url(with_database(server_url(), "postgres")))
    try:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = $1"
        return int(await connection.fetchval(query, name))
    finally:
        await connection.close()


def command() -> list[str]:
    """`crm-backup` of this environment, as an operator would run it."""
    script = Path(sys.executable).with_name("crm-backup")
    return [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]


def migrate(env: dict[str, str]) -> None:
    subprocess.run([*command(), "migrate"], env=env, check=True, timeout=MIGRATE_TIMEOUT_SECONDS)


async def prepare_for_reading(url: str) -> None:
    """Statistics, hint bits and the visibility map set, dirty pages flushed: the runs that
    follow read a settled table instead of paying for the bulk load's aftermath."""
    connection = await asyncpg.connect(driver_url(url))
    try:
        await connection.execute("VACUUM ANALYZE records")
        # Only a superuser may; otherwise the background checkpointer catches up instead.
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def server_version(url: str) -> str:
    connection = await asyncpg.connect(driver_url(url))
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()
