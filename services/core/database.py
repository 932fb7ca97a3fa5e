"""Connecting Tortoise to the configured database, applying the shipped migrations, and
transactions that survive being cancelled."""

import contextlib
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as run_migrations
from tortoise.transactions import in_transaction

from models import MODEL_MODULES

APP_LABEL = "crm"


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    """A pooled PostgreSQL connection given back without a round trip.

    asyncpg resets a connection as the pool takes it back: it rolls back a transaction left
    open, then sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` and waits for
    the answer, a second round trip for every statement run outside a transaction (a page of
    records paid four for its two queries). None of that can be pending here: the service
    sets nothing for a session (only `SET TRANSACTION`), takes advisory locks for a
    transaction only (`pg_advisory_xact_lock`), declares no cursor that outlives its
    transaction and listens to nothing (its events go over Redis). The rollback stays."""

    def get_reset_query(self) -> str:
        return ""


# The service's statements are short: compiling one (JIT, chosen by the plan's estimated cost)
# takes 20 to 30 ms, and a filtered page's generic plan is estimated over the threshold once its
# table holds a few million records of all accounts: 0.7 ms of SQL became 33 ms.
SERVER_SETTINGS = {"jit": "off"}


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "migrations": "models.migrations",
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(database_url: str) -> bool:
    return database_url.startswith(("postgres://", "postgresql://", "asyncpg://"))


def on_postgres(client: BaseDBAsyncClient | None = None) -> bool:
    """Whether `client` (the default connection when none is given) speaks to PostgreSQL."""
    return (client or connections.get("default")).capabilities.dialect == "postgres"


def _connection(database_url: str) -> str | dict[str, Any]:
    if not is_postgres(database_url):
        return database_url
    connection = expand_db_url(database_url)
    connection["credentials"]["connection_class"] = PooledConnection
    connection["credentials"]["server_settings"] = SERVER_SETTINGS
    return connection


async def migrate(database_url: str) -> None:
    """Apply every migration not applied yet, then close the connections it opened (not by
    `Tortoise.close_connections`, which logs "Tortoise-ORM shutdown" at every embedded start)."""
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await connections.close_all(discard=True)


async def connect(database_url: str) -> None:
    # The global fallback lets tasks that did not inherit the context (lifespan, workers) query.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def disconnect() -> None:
    await Tortoise.close_connections()


# For the `tortoise` command: `tortoise -c services.core.database.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


AfterCommit = Callable[[], None]

# What the outermost `transaction()` of this task calls once it has committed.
_after_commit: ContextVar[list[AfterCommit] | None] = ContextVar("after_commit", default=None)


def after_commit(callback: AfterCommit) -> None:
    """Call `callback` once the outermost `transaction()` around this call commits (never if it
    rolls back); outside of one, now."""
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """`in_transaction()`, safe to cancel while it begins, that runs its `after_commit`
    callbacks once committed."""
    if _after_commit.get() is not None:
        async with _begun() as connection:
            yield connection
        return
    pending: list[AfterCommit] = []
    token = _after_commit.set(pending)
    try:
        async with _begun() as connection:
            yield connection
    finally:
        _after_commit.reset(token)
    for callback in pending:
        callback()


@contextlib.asynccontextmanager
async def _begun() -> AsyncIterator[BaseDBAsyncClient]:
    """`in_transaction()`, safe to cancel while it begins.

    Tortoise takes the connection (SQLite: its only one, by a lock; PostgreSQL: one of the
    pool) before it sends BEGIN, and leaves it taken when the task is cancelled in between: on
    SQLite every later query then waits for ever. A job cancelled mid-batch lands there.
    """
    context = in_transaction()
    try:
        connection = await context.__aenter__()
    except BaseException as error:
        # `token` is set once the connection is taken: hand it back, rolling back a BEGIN.
        if hasattr(context, "token"):
            with contextlib.suppress(Exception):
                await context.__aexit__(type(error), error, error.__traceback__)
        raise
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_exit(context)
        yield connection
