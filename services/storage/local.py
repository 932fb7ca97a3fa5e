"""Storage in a local directory: files appear by an atomic rename, made durable first."""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from uuid import uuid4

from services.storage.base import CHUNK_SIZE, KEY_PATTERN, WrittenFile, check_key
from services.storage.scratch import remove_unchanged_since
from services.storage.write_behind import WriteBehind

# A file being stored, before its rename; one left behind was being stored by a killed process.
TEMPORARY_PREFIX = ".tmp-"


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put_file(self, key: str, local_path: Path) -> None:
        await asyncio.to_thread(self._put_file, self._path(key), local_path)

    @staticmethod
    def _put_file(path: Path, local_path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A temporary file beside the target, made durable, then renamed over it: a rename
        # within one directory is atomic, so the key holds either nothing or the whole file.
        temp = path.parent / f"{TEMPORARY_PREFIX}{uuid4()}"
        try:
            _link_or_copy(local_path, temp)
            with temp.open("rb") as written:
                os.fsync(written.fileno())
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_directory(path.parent)

    def create_file(self, path: Path) -> WrittenFile:
        """Written to disk as it is written: `put_file` links this very file into place, and
        its fsync then has little left to write (`write_behind`)."""
        return WriteBehind(path.open("wb"))

    async def get_file(self, key: str, local_path: Path) -> None:
        await asyncio.to_thread(_link_or_copy, self._path(key), local_path)

    async def open_stream(self, key: str) -> AsyncIterator[bytes]:
        file = await asyncio.to_thread(self._path(key).open, "rb")
        try:
            while chunk := await asyncio.to_thread(file.read, CHUNK_SIZE):
                yield chunk
        finally:
            file.close()

    async def size(self, key: str) -> int:
        stat = await asyncio.to_thread(self._path(key).stat)
        return stat.st_size

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def list_keys(self) -> list[str]:
        return await asyncio.to_thread(self._list_keys)

    def _list_keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        paths = (path.relative_to(self.root).as_posix() for path in self.root.rglob("*"))
        return [path for path in paths if KEY_PATTERN.match(path) and (self.root / path).is_file()]

    async def check_ready(self) -> None:
        await asyncio.to_thread(self._check_writable)

    def _check_writable(self) -> None:
        # The root appears with the first file stored; a fresh start is ready all the same.
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"{self.root} is not writable")

    async def sweep_temporary(self, older_than: datetime) -> int:
        return await asyncio.to_thread(
            remove_unchanged_since, self.root.rglob(f"{TEMPORARY_PREFIX}*"), older_than
        )


def _link_or_copy(source: Path, target: Path) -> None:
    """A second name for the file where both are on one file system (the work dir usually is):
    nothing to copy. Neither name is written to afterwards."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _fsync_directory(directory: Path) -> None:
    """Makes the rename itself durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
