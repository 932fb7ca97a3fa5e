"""A stored file fetched into the work dir to be read there: a backup's, verified before
anything is read, for the jobs that read backups (restores, comparisons)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from models.backups import Backup
from models.ids import new_id
from services import storage
from services.backups.file_format import BackupReader, CorruptBackup, FileEntry, open_backup
from services.core import environment


async def fetched(key: str, prefix: str, missing: str) -> Path:
    """The stored file `key` in the work dir; CorruptBackup saying `missing` when it is not
    in storage, or when storage cannot vouch for it."""
    path = environment.current().work_dir / f"{prefix}-{new_id()}"
    try:
        await storage.current().get_file(key, path)
    except FileNotFoundError:
        path.unlink(missing_ok=True)
        raise CorruptBackup(missing) from None
    except (storage.Tampered, storage.UnknownKey) as error:
        # Refused whole, before any of it is read.
        raise CorruptBackup(f"The file in storage cannot be trusted: {error}") from None
    return path


@contextlib.asynccontextmanager
async def backup_file(backup: Backup) -> AsyncIterator[BackupReader]:
    """The backup's file, fetched into the work dir, its manifest and listing verified before
    anything is read (CorruptBackup otherwise); a type's file is checked as it is read
    (`BackupReader.columns`). Deleted afterwards."""
    path = await fetched(backup.storage_key, "restore", "The backup's file is missing.")
    try:
        with contextlib.ExitStack() as stack:
            opened = open_backup(path, files=False)
            reader = await asyncio.to_thread(stack.enter_context, opened)
            yield reader
    finally:
        path.unlink(missing_ok=True)


def entry_for(reader: BackupReader, object_type: str) -> FileEntry | None:
    """The file of `object_type`; None when the backup holds no records of it."""
    return next(
        (entry for entry in reader.manifest.files if entry.object_type == object_type), None
    )
