"""Where a restore's values come from, in batches of records in a stable order: the backup's
file for a restore, the values a restore overwrote for its revert.

A batch's position in that order is its number: a resumed job skips the batches it finished.
"""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from uuid import UUID

from models.backups import Backup
from models.ids import new_id
from models.restores import RestoreChange
from services import storage
from services.backups import BackupReader, CorruptBackup, FileEntry, open_backup
from services.core import environment

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


@dataclass(frozen=True)
class Targets:
    """A batch of targets column by column, as a file gives them and as the database takes
    them (an array per property): no object per record until one is asked for."""

    record_ids: Sequence[str]
    # Per chosen property, its value for each record; "" where blank (to be cleared).
    columns: dict[str, Sequence[str]]
    # A revert's `Target.expected`, per record.
    expected: Sequence[Values] | None = None

    def __len__(self) -> int:
        return len(self.record_ids)

    def __iter__(self) -> Iterator[Target]:
        """Record by record, for the code that compares in Python (the plan, SQLite)."""
        columns = self.columns.items()
        for n, record_id in enumerate(self.record_ids):
            yield Target(
                _uuid(record_id),
                {name: values[n] for name, values in columns if values[n]},
                None if self.expected is None else self.expected[n],
            )


def _uuid(record_id: str) -> UUID:
    try:
        return UUID(record_id)
    except ValueError:
        raise CorruptBackup(f"The backup holds a malformed record id: {record_id!r}") from None


@contextlib.asynccontextmanager
async def backup_file(backup: Backup, object_type: str) -> AsyncIterator[BackupReader]:
    """The backup's file, fetched into the work dir, its manifest and the file of `object_type`
    verified before anything is read (CorruptBackup otherwise); deleted afterwards."""
    env = environment.current()
    path = env.work_dir / f"restore-{new_id()}.zip"
    try:
        try:
            await storage.current().get_file(backup.storage_key, path)
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
) -> AsyncGenerator[Targets, None]:
    rows = reader.columns(entry, properties)
    # Decompressing and parsing run in a thread, a batch ahead: the next batch is read while
    # the caller applies this one and the database works on it.
    ahead = asyncio.ensure_future(asyncio.to_thread(_take, rows, properties, size))
    try:
        while batch := await ahead:
            ahead = asyncio.ensure_future(asyncio.to_thread(_take, rows, properties, size))
            yield batch
    finally:
        # The archive closes after this: no thread may still be reading it.
        await asyncio.wait([ahead])
        if not ahead.cancelled():
            ahead.exception()  # Read ahead for nothing: its error, if any, is not news.


def _take(rows: Iterator[tuple[str, ...]], properties: list[str], size: int) -> Targets | None:
    picked = list(islice(rows, size))
    if not picked:
        return None
    record_ids, *columns = zip(*picked, strict=True)
    return Targets(record_ids, dict(zip(properties, columns, strict=True)))


async def change_batches(
    restore_id: UUID, properties: list[str], size: int = BATCH_SIZE
) -> AsyncGenerator[Targets, None]:
    """What a restore overwrote, by record id: back to `before`, where `after` still holds."""
    changes = RestoreChange.filter(restore_id=restore_id).order_by("record_id")
    after: UUID | None = None
    while True:
        page = changes if after is None else changes.filter(record_id__gt=after)
        rows = await page.limit(size).values_list("record_id", "before", "after")
        if not rows:
            return
        yield Targets(
            [str(record_id) for record_id, _, _ in rows],
            {name: [before.get(name) or "" for _, before, _ in rows] for name in properties},
            [present(expected) for _, _, expected in rows],
        )
        after = UUID(str(rows[-1][0]))


def present(values: dict[str, str | None]) -> Values:
    """The values that are set (a saved change writes blank ones as null)."""
    return {name: value for name, value in values.items() if value is not None}
