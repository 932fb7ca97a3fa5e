"""Upgrading a database that holds data: every migration keeps what the older schema held,
and its indexes."""

from pathlib import Path

import pytest

from tests.support.migrations import (
    AT_0007,
    COLUMNS_AT_0007,
    UNIQUE_REFUSED,
    empty_database,
    execute,
    migrate_to,
    rows_at_0007,
    write_rows,
)


async def test_a_database_holding_data_upgrades_through_every_later_migration(
    db_kind: str, tmp_path: Path
) -> None:
    async with empty_database(db_kind, tmp_path) as url:
        migrate_to(url, AT_0007)
        rows = rows_at_0007()
        await write_rows(url, rows)

        migrate_to(url)

        for table in COLUMNS_AT_0007:
            assert await execute(url, f"SELECT count(*) FROM {table}") == [(1,)], table
        [(source, file_key, failure_code)] = await execute(
            url, "SELECT source, file_key, failure_code FROM restores"
        )
        assert (source, file_key, failure_code) == ("BACKUP", "", "")
        # A second active restore of the account is still refused by the partial unique index.
        await execute(url, "UPDATE restores SET status = 'QUEUED'")
        restore = list(rows["restores"])
        restore[0], restore[6] = "00000000-0000-4000-8000-000000000001", "RUNNING"
        columns = ", ".join(COLUMNS_AT_0007["restores"])
        with pytest.raises(UNIQUE_REFUSED):
            await execute(url, f"INSERT INTO restores ({columns}) VALUES ({{}})", tuple(restore))
