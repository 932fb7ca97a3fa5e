"""Databases migrated step by step, in a process of their own (Tortoise's migrations take over
its global state), and rows written and read as plain SQL, whatever the schema's age."""

import contextlib
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from tests.support.databases import asyncpg_url, throwaway_database

MIGRATE = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.migrations.api.migrate import migrate
from services.core.database import tortoise_config

async def main(url, target):
    try:
        await migrate(config=tortoise_config(url), target=target or None)
    finally:
        await Tortoise.close_connections()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""

# What a database refuses a row breaking a unique index with.
UNIQUE_REFUSED = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)

# One row of each kind that existed at 0007, with the columns its schema then required.
AT_0007 = "crm.0007_live_records_by_type"
COLUMNS_AT_0007 = {
    "accounts": ("id", "name", "tier", "created_at"),
    "object_types": ("id", "account_id", "name", "plural_label", "singular_label", "is_custom",
                     "created_at"),
    "records": ("id", "account_id", "object_type_id", "properties", "created_at", "updated_at"),
    "backups": ("id", "status", "trigger", "created_at", "storage_key", "sha256",
                "object_counts", "failure_reason", "attempts", "account_id"),
    "imports": ("id", "account_id", "name", "source", "status", "storage_key",
                "object_type_name", "created_at", "counts", "rows_done", "attempts",
                "failure_reason"),
    "restores": ("id", "account_id", "kind", "backup_id", "object_type_id", "properties",
                 "status", "plan", "created_at", "counts", "attempts", "failure_reason"),
    "restore_changes": ("id", "restore_id", "batch", "record_id", "before", "after"),
}  # fmt: skip


@contextlib.asynccontextmanager
async def empty_database(db_kind: str, tmp_path: Path) -> AsyncIterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite://{tmp_path / 'upgraded.sqlite3'}"
        return
    async with throwaway_database("crm_backup_upgrade") as url:
        yield url


def migrate_to(database_url: str, target: str = "") -> None:
    """`target` (such as AT_0007), or the newest migration."""
    subprocess.run([sys.executable, "-c", MIGRATE, database_url, target], check=True)


def rows_at_0007() -> dict[str, tuple[Any, ...]]:
    """Table -> one row's values, in the order of COLUMNS_AT_0007's."""
    account, object_type, record, backup, restore = (str(uuid.uuid4()) for _ in range(5))
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return {
        "accounts": (account, "Old", "STARTER", at),
        "object_types": (object_type, account, "deals", "Deals", "Deal", False, at),
        "records": (record, account, object_type, '{"dealname": "Kept"}', at, at),
        "backups": (backup, "SUCCEEDED", "MANUAL", at, "k", "", "{}", "", 1, account),
        "imports": (str(uuid.uuid4()), account, "Import - a.csv", "FILE", "SUCCEEDED", "", "",
                    at, "{}", 0, 1, ""),
        "restores": (restore, account, "RESTORE", backup, object_type, "[]", "SUCCEEDED", "{}",
                     at, "{}", 1, ""),
        "restore_changes": (str(uuid.uuid4()), restore, 0, record, "{}", "{}"),
    }  # fmt: skip


async def write_rows(database_url: str, rows: dict[str, tuple[Any, ...]]) -> None:
    for table, columns in COLUMNS_AT_0007.items():
        names = ", ".join(columns)
        await execute(database_url, f"INSERT INTO {table} ({names}) VALUES ({{}})", rows[table])


async def execute(
    database_url: str, sql: str, values: tuple[Any, ...] = ()
) -> list[tuple[Any, ...]]:
    """`sql` with `{}` where its parameters go, on either database; the rows it returns."""
    if database_url.startswith("sqlite://"):
        marks = ", ".join("?" for _ in values)
        plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as db:
            found = db.execute(sql.format(marks), plain).fetchall()
            db.commit()
        return found
    connection = await asyncpg.connect(asyncpg_url(database_url))
    try:
        marks = ", ".join(f"${n}" for n in range(1, len(values) + 1))
        return [tuple(row) for row in await connection.fetch(sql.format(marks), *values)]
    finally:
        await connection.close()
