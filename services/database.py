"""Connecting Tortoise to the configured database and applying the shipped migrations."""

from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from models import MODEL_MODULES

APP_LABEL = "crm"


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
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


async def migrate(database_url: str) -> None:
    """Apply every migration not applied yet, then close the connections it opened."""
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


async def connect(database_url: str) -> None:
    # The global fallback lets tasks that did not inherit the context (lifespan, workers) query.
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def disconnect() -> None:
    await Tortoise.close_connections()


# For the `tortoise` command: `tortoise -c services.database.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
