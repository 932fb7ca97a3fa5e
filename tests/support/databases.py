"""Throwaway PostgreSQL databases, so that a developer's own data is never touched."""

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg

from tests.support import external


def asyncpg_url(url: str) -> str:
    """The same URL in the scheme asyncpg accepts."""
    return url.replace("postgres://", "postgresql://", 1)


@contextlib.asynccontextmanager
async def throwaway_database(prefix: str) -> AsyncIterator[str]:
    """A new database on the test server (skipped, or failed under CI, when it is not
    reachable), dropped at the end; yields its URL."""
    external.require("PostgreSQL", external.postgres_url())
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_url(external.postgres_url()))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{external.postgres_url().rsplit('/', 1)[0]}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
