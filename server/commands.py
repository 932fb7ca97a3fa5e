"""What the `crm-backup` subcommands that work on the database share."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from server.settings import Settings
from services.core import database

T = TypeVar("T")


class CommandFailed(Exception):
    """A failure the user can act on: printed as one line, without a traceback."""


def run_with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    async def connected() -> T:
        await database.connect(settings.database_url)
        try:
            return await work()
        finally:
            await database.disconnect()

    return asyncio.run(connected())
