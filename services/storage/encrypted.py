"""Storage that encrypts at rest: every file is sealed under a fresh data key on its way in and
opened on its way out, whatever backend holds it (`sealed` is the format)."""

import asyncio
import io
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO
from uuid import uuid4

from services.storage.base import ScratchFile, Storage, WrittenFile
from services.storage.keyring import Keyring, UnknownKey
from services.storage.sealed import (
    Opener,
    SealedFile,
    Sealer,
    Tampered,
    open_chunks,
    parse_header,
    plaintext_size,
    seal,
    wrap,
)


class Rewrapped(StrEnum):
    CURRENT = "current"  # Already under the current key: left alone.
    REWRAPPED = "rewrapped"  # Its data key is now wrapped by the current key.
    SEALED = "sealed"  # Stored before encryption: now sealed.


@dataclass(frozen=True)
class SealedScratch:
    """A scratch file sealed as it is written: its plaintext never reaches the disk, and it is
    stored as it is, with no second pass to seal it."""

    path: Path
    keyring: Keyring
    # The file the sealed bytes go to, as the storage that keeps it makes one.
    create_file: Callable[[Path], WrittenFile]

    def create(self) -> WrittenFile:
        return Sealer(self.create_file(self.path), self.keyring)

    def reopen(self) -> BinaryIO:
        return io.BufferedReader(SealedFile(self.path.open("rb"), self.keyring))


@dataclass
class RewrapTally:
    done: Counter[Rewrapped] = field(default_factory=Counter)
    # Key to reason: files that are not as sealed, or sealed under a key no longer configured.
    refused: dict[str, str] = field(default_factory=dict)


class EncryptedStorage:
    """Wraps a backend: callers store and read plaintext, the backend only ever holds sealed
    files. Reading a file whose seal fails raises Tampered, and `get_file` leaves nothing."""

    def __init__(self, inner: Storage, keyring: Keyring) -> None:
        self.inner = inner
        self.keyring = keyring

    def scratch(self, path: Path) -> ScratchFile:
        """A file to write at `path` (in the work dir) and then store with `put_scratch`."""
        return SealedScratch(path, self.keyring, self.inner.create_file)

    async def put_scratch(self, key: str, scratch: ScratchFile) -> None:
        """Stores a file made by `scratch`, already sealed; it stays at its path."""
        await self.inner.put_file(key, scratch.path)

    def create_file(self, path: Path) -> WrittenFile:
        # Plaintext: `put_file` seals it into a file of its own, and only that one is kept.
        return path.open("wb")

    async def put_file(self, key: str, local_path: Path) -> None:
        sealed = _beside(local_path, "sealed")
        try:
            await asyncio.to_thread(self._seal, local_path, sealed)
            await self.inner.put_file(key, sealed)
        finally:
            await asyncio.to_thread(_remove, sealed)

    def _seal(self, source: Path, target: Path) -> None:
        with source.open("rb") as plain, target.open("xb") as sealed:
            seal(plain, sealed, self.keyring)

    async def get_file(self, key: str, local_path: Path) -> None:
        sealed = _beside(local_path, "sealed")
        try:
            await self.inner.get_file(key, sealed)
            await asyncio.to_thread(self._open, sealed, local_path)
        except BaseException:
            await asyncio.to_thread(_remove, local_path)
            raise
        finally:
            await asyncio.to_thread(_remove, sealed)

    def _open(self, source: Path, target: Path) -> None:
        with source.open("rb") as sealed, target.open("wb") as plain:
            for chunk in open_chunks(sealed, self.keyring):
                plain.write(chunk)

    async def open_stream(self, key: str) -> AsyncIterator[bytes]:
        opener = Opener(self.keyring)
        async for data in self.inner.open_stream(key):
            if opened := await asyncio.to_thread(opener.feed, data):
                yield opened
        yield opener.finish()

    async def size(self, key: str) -> int:
        """The plaintext's size."""
        sealed_size = await self.inner.size(key)
        start = await self._start(key)
        parsed = parse_header(start)
        if parsed is None:
            raise Tampered("The file is cut off: its header is incomplete.")
        header, header_size = parsed
        return plaintext_size(sealed_size, header_size, header.chunk_size)

    async def _start(self, key: str) -> bytes:
        stream = self.inner.open_stream(key)
        try:
            return await anext(stream, b"")
        finally:
            await stream.aclose()  # type: ignore[attr-defined]

    async def delete(self, key: str) -> None:
        await self.inner.delete(key)

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def check_ready(self) -> None:
        await self.inner.check_ready()

    async def sweep_temporary(self, older_than: datetime) -> int:
        return await self.inner.sweep_temporary(older_than)

    async def list_keys(self) -> list[str]:
        return await self.inner.list_keys()

    async def rewrap(self, key: str, scratch: Path, *, seal_plain: bool = False) -> Rewrapped:
        """Wraps the file's data key by the current key (the body is not touched); a file
        stored before encryption is sealed when `seal_plain`, else refused as Tampered."""
        stored = scratch / f"rewrap-{uuid4()}"
        rewritten = _beside(stored, "new")
        try:
            await self.inner.get_file(key, stored)
            outcome = await asyncio.to_thread(self._rewrite, stored, rewritten, seal_plain)
            if outcome is not Rewrapped.CURRENT:
                await self.inner.put_file(key, rewritten)
            return outcome
        finally:
            await asyncio.to_thread(_remove, stored, rewritten)

    async def rewrap_all(self, scratch: Path, *, seal_plain: bool = False) -> RewrapTally:
        """`rewrap` of every stored file; a file refused does not stop the others."""
        tally = RewrapTally()
        for key in await self.list_keys():
            try:
                tally.done[await self.rewrap(key, scratch, seal_plain=seal_plain)] += 1
            except (Tampered, UnknownKey) as error:
                tally.refused[key] = str(error)
        return tally

    def _rewrite(self, stored: Path, target: Path, seal_plain: bool) -> Rewrapped:
        with stored.open("rb") as source:
            try:
                parsed = parse_header(source.read(4096))
            except Tampered:
                if not seal_plain:
                    raise
                self._seal(stored, target)
                return Rewrapped.SEALED
            if parsed is None:
                raise Tampered("The file is cut off: its header is incomplete.")
            header, length = parsed
            if header.key_id == self.keyring.current_id:
                return Rewrapped.CURRENT
            rewrapped = wrap(header.data_key(self.keyring), self.keyring, header.chunk_size)
            source.seek(length)
            with target.open("xb") as written:
                written.write(rewrapped.encode())
                shutil.copyfileobj(source, written, 1 << 20)
        return Rewrapped.REWRAPPED


def _beside(path: Path, role: str) -> Path:
    """A scratch file in the same directory, so that the backend may link rather than copy."""
    return path.with_name(f"{path.name}.{role}-{uuid4().hex[:8]}")


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
