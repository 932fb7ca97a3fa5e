"""Where a restore's values come from, in batches of records in a stable order: the backup's
file for a restore, the values a restore overwrote for its revert.

A batch's position in that order is its number: a resumed job skips the batches it finished.
"""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass
from itertools import islice
from uuid import UUID

from models.backups import Backup
from models.ids import new_id
from models.restores import RestoreChange
from services import environment
from services.backup_format import BackupReader, CorruptBackup, FileEntry, open_backup

BATCH_SIZE = 1_000

Values = dict[str, str]


@dataclass(frozen=True)
class Target:
    """The values one record is to get for the chosen properties (absent: to be cleared)."""

    record_id: UUID
    values: Values
    # For a revert: the values the restore left. A record that no longer holds them was
    # changed again since, and is left alone.
    expected: Values | None = None


@contextlib.asynccontextmanager
async def backup_file(backup: Backup, object_type: str) -> AsyncIterator[BackupReader]:
    """The backup's file, fetched into the work dir, its manifest and the file of `object_type`
    verified before anything is read (CorruptBackup otherwise); deleted afterwards."""
    env = environment.current()
    path = env.work_dir / f"restore-{new_id()}.zip"
    try:
        try:
            await env.storage.get_file(backup.storage_key, path)
        except FileNotFoundError:
            raise CorruptBackup("The backup's file is missing from storage.") from None
        with contextlib.ExitStack() as stack:
            # Verifying reads and hashes a whole file: off the event loop.
            opened = open_backup(path, object_type)
            reader = await asyncio.to_thread(stack.enter_context, opened)
            yield reader
    finally:
        path.unlink(missing_ok=True)


def entry_for(reader: BackupReader, object_type: str) -> FileEntry | None:
    """The file of `object_type`; None when the backup holds no records of it."""
    return next(
        (entry for entry in reader.manifest.files if entry.object_type == object_type), None
    )


async def backup_batches(
    reader: BackupReader, entry: FileEntry, properties: list[str], size: int = BATCH_SIZE
) -> AsyncGenerator[list[Target], None]:
    rows = reader.records(entry, only=properties)
    # Decompressing and parsing run in a thread, a batch ahead: the next batch is read while
    # the caller applies this one and the database works on it.
    ahead = asyncio.ensure_future(asyncio.to_thread(_take, rows, size))
    try:
        while batch := await ahead:
            ahead = asyncio.ensure_future(asyncio.to_thread(_take, rows, size))
            yield batch
    finally:
        # The archive closes after this: no thread may still be reading it.
        await asyncio.wait([ahead])
        if not ahead.cancelled():
            ahead.exception()  # Read ahead for nothing: its error, if any, is not news.


def _take(rows: Iterator[tuple[str, Values]], size: int) -> list[Target]:
    try:
        return [Target(UUID(record_id), values) for record_id, values in islice(rows, size)]
    except ValueError as error:
        raise CorruptBackup(f"The backup holds a malformed record id: {error}") from error


async def change_batches(
    restore_id: UUID, size: int = BATCH_SIZE
) -> AsyncGenerator[list[Target], None]:
    """What a restore overwrote, by record id: back to `before`, where `after` still holds."""
    changes = RestoreChange.filter(restore_id=restore_id).order_by("record_id")
    after: UUID | None = None
    while True:
        page = changes if after is None else changes.filter(record_id__gt=after)
        rows = await page.limit(size).values_list("record_id", "before", "after")
        if not rows:
            return
        yield [
            Target(UUID(str(record_id)), present(before), present(expected))
            for record_id, before, expected in rows
        ]
        after = UUID(str(rows[-1][0]))


def present(values: dict[str, str | None]) -> Values:
    """The values that are set (a saved change writes blank ones as null)."""
    return {name: value for name, value in values.items() if value is not None}
