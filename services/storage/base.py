"""What every storage backend shares: the interface, and keys that cannot escape the root."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol
from uuid import UUID

CHUNK_SIZE = 1 << 20
# Lowercase segments of letters, digits, '.', '_' and '-', not starting with a dot: no "..",
# no absolute path, no backslash.
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


def backup_key(account_id: UUID, backup_id: UUID) -> str:
    return f"accounts/{account_id}/backups/{backup_id}.zip"


def import_key(account_id: UUID, import_id: UUID) -> str:
    """An uploaded file waiting for its import (a backup ZIP or a CSV)."""
    return f"accounts/{account_id}/imports/{import_id}.upload"


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ValueError(f"{key!r} is not a storage key")
    return key


class Storage(Protocol):
    async def put_file(self, key: str, local_path: Path) -> None:
        """Stores the file, which the caller no longer changes; the object appears only once
        complete."""

    def create_file(self, path: Path) -> "WrittenFile":
        """A new file at `path`, to be written in full and then stored by `put_file`."""

    async def get_file(self, key: str, local_path: Path) -> None:
        """The object as a file at `local_path`, which the caller only reads and then removes;
        FileNotFoundError when there is none."""

    def open_stream(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; FileNotFoundError when there is none."""

    async def size(self, key: str) -> int:
        """In bytes; FileNotFoundError when there is no such object."""

    async def delete(self, key: str) -> None:
        """Removes the object if it exists."""

    async def exists(self, key: str) -> bool: ...

    async def list_keys(self) -> list[str]:
        """Every object's key, in no particular order."""

    async def check_ready(self) -> None:
        """Returns once files can be stored now; raises when they cannot."""

    async def sweep_temporary(self, older_than: datetime) -> int:
        """Deletes the temporary files of stores that a killed process left unfinished, last
        written before `older_than`; how many."""


class WrittenFile(Protocol):
    """A file as it is written, in order; closing it completes it."""

    def write(self, data: bytes | memoryview, /) -> int: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class ScratchFile(Protocol):
    """A file written in the work dir, read back, then stored under a key."""

    @property
    def path(self) -> Path: ...

    def create(self) -> WrittenFile:
        """The file, empty, to write."""

    def reopen(self) -> BinaryIO:
        """The file as written, to read (and seek) in its plaintext."""


@dataclass(frozen=True)
class PlainScratch:
    """A scratch file written as it is."""

    path: Path

    def create(self) -> WrittenFile:
        return self.path.open("wb")

    def reopen(self) -> BinaryIO:
        return self.path.open("rb")
