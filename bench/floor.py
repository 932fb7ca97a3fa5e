"""Measure B, the raw floor: the same rows out of PostgreSQL through COPY, straight into ZIP
entries deflated as the backup's are, in one REPEATABLE READ transaction. No hashing, no
record counting, no verification, no storage: what the database and the deflate alone cost."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from uuid import UUID
from zipfile import ZIP_DEFLATED, ZipFile

import asyncpg

from bench.database import driver_url
from services.backups import COMPRESS_LEVEL, deflated_entry

# The export's order: types by (is_custom, name), properties in definition order.
TYPES = """
    SELECT o.id, o.name, array_agg(p.name ORDER BY p.id)
    FROM object_types o JOIN properties p ON p.object_type_id = o.id
    WHERE o.account_id = $1 GROUP BY o.id ORDER BY o.is_custom, o.name
"""


@dataclass(frozen=True)
class FloorResult:
    seconds: float
    rows: int
    size_bytes: int


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def select_query(object_type_id: UUID, names: list[str]) -> str:
    """The floor's query: the property names inlined as literals, one column each."""
    columns = "".join(f", properties->>{_literal(name)}" for name in names)
    return (
        f"SELECT id{columns} FROM records WHERE object_type_id = '{object_type_id}'"
        " AND deleted_at IS NULL ORDER BY id"
    )


async def _types(connection: asyncpg.Connection, account_id: UUID) -> list[asyncpg.Record]:
    return list(await connection.fetch(TYPES, account_id))


async def measure(url: str, account_id: UUID, path: Path) -> FloorResult:
    # Connecting counts, as the export's own connection does.
    started = time.perf_counter()
    connection = await asyncpg.connect(driver_url(url))
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            rows = await _write_zip(connection, account_id, path)
        seconds = time.perf_counter() - started
    finally:
        await connection.close()
    size = await asyncio.to_thread(_size_and_delete, path)
    return FloorResult(seconds, rows, size)


def _size_and_delete(path: Path) -> int:
    size = path.stat().st_size
    path.unlink()
    return size


async def _write_zip(connection: asyncpg.Connection, account_id: UUID, path: Path) -> int:
    rows = 0
    with ZipFile(path, "w", ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for type_id, name, names in await _types(connection, account_id):
            with deflated_entry(archive, f"{name}.csv") as stream:
                stream.write((",".join(["id", *names]) + "\n").encode())
                status = await connection.copy_from_query(
                    select_query(type_id, names), output=_writer(stream), format="csv"
                )
            rows += int(status.split()[-1])
    return rows


def _writer(stream: IO[bytes]) -> Callable[[bytes], Awaitable[None]]:
    # Deflates on the event loop, the plainest way; the server keeps filling the socket.
    async def write(chunk: bytes) -> None:
        stream.write(chunk)

    return write


async def _discard(chunk: bytes) -> None:
    pass


async def warm_up(url: str, account_id: UUID) -> float:
    """Reads exactly what both runs will read, and discards it: both then see a warm cache."""
    connection = await asyncpg.connect(driver_url(url))
    try:
        started = time.perf_counter()
        for type_id, _, names in await _types(connection, account_id):
            await connection.copy_from_query(
                select_query(type_id, names), output=_discard, format="csv"
            )
        return time.perf_counter() - started
    finally:
        await connection.close()
