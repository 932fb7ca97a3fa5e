"""A backup's CSV inflated in a process of its own, so that its reader, parsing on one core, has
the inflating, the CRC-32 and the SHA-256 done on another. The csv module holds the GIL while it
parses, so a thread could not overlap them: an inflating thread waits up to the switch interval
for the GIL after each call into zlib, and gained a tenth of the reading time where the process
gains a fifth.

`inflated(archive, name)` is the reader's side: the entry's bytes, read from the child's pipe
(a small entry is inflated in the reader's own process: starting a child would cost more than
it saves). Run by its path (`python inflating.py <zip> <entry>`, so that the child imports
nothing of the service), this module is the child: it writes the entry's bytes to its standard
output, then the SHA-256 of those bytes to its standard error. ZipFile gives at most the size
the entry's listing declares and checks the CRC-32 at its end, in either process.
"""

import fcntl
import hashlib
import io
import subprocess
import sys
import zlib
from typing import cast
from zipfile import ZIP_DEFLATED, BadZipFile, ZipFile

from isal import isal_zlib

# What ISA-L raises for data it cannot inflate (its stubs declare it an instance).
_INFLATE_ERROR = cast(type[Exception], isal_zlib.error)
# The child's exit status for a damaged entry; its standard error then says what is wrong.
DAMAGED = 3
# The child's writes, and the pipe's capacity (Linux's default is 64 KiB; 1 MiB is the most an
# unprivileged process may ask): the child runs a megabyte ahead of the reader rather than
# waiting for each of its reads.
CHUNK_SIZE = 1 << 18
PIPE_SIZE = 1 << 20
# An entry inflated to less than this is inflated in its reader's process: a child takes tens
# of milliseconds to start (more on a busy machine), as long as a few megabytes take to read.
CHILD_MIN_BYTES = 16 << 20


def inflated(archive: ZipFile, name: str) -> "InflatedEntry | LocalEntry":
    """The entry's bytes, with their SHA-256 once read to the end."""
    if archive.getinfo(name).file_size < CHILD_MIN_BYTES:
        return LocalEntry(archive, name)
    return InflatedEntry(archive, name)


class LocalEntry(io.RawIOBase):
    """The bytes of one entry of a ZIP, inflated in this process, hashed as they are read."""

    def __init__(self, archive: ZipFile, name: str) -> None:
        super().__init__()
        self.name = name
        self._entry = archive.open(name)
        self._sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._entry.read(len(buffer))
        buffer[: len(data)] = data
        self._sha256.update(data)
        return len(data)

    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def close(self) -> None:
        self._entry.close()
        super().close()


class InflatedEntry(io.RawIOBase):
    """The bytes of one entry of a ZIP, inflated by a child process. Once read to its end,
    `sha256()` is their SHA-256; a damaged entry raises BadZipFile at its end."""

    def __init__(self, archive: ZipFile, name: str) -> None:
        super().__init__()
        if archive.filename is None:
            raise ValueError("Only a ZIP opened from a file can be inflated apart.")
        self.name = name
        self._sha256: str | None = None
        self._child = subprocess.Popen(
            # -I: isolated from the environment and the user's site.
            [sys.executable, "-I", __file__, archive.filename, name],
            # Unbuffered: each read is one read of the pipe, of what the child has written.
            bufsize=0,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._pipe = cast(io.FileIO, self._child.stdout)
        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux only
            fcntl.fcntl(self._pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        read = self._pipe.readinto(buffer)
        if read == 0 and self._sha256 is None:
            # At the end, before the reader checks what it read: a damaged entry ends early.
            self._sha256 = self._ended()
        return read

    def sha256(self) -> str:
        """The SHA-256 of the entry's bytes, once they are all read."""
        if self._sha256 is None:
            raise RuntimeError(f"{self.name} is not read to its end.")
        return self._sha256

    def _ended(self) -> str:
        assert self._child.stderr is not None
        said = self._child.stderr.read().decode(errors="replace").strip()
        status = self._child.wait()
        if status == DAMAGED:
            raise BadZipFile(said)
        if status != 0:
            raise RuntimeError(f"Inflating {self.name} failed ({status}): {said[-2000:]}")
        return said

    def close(self) -> None:
        # An entry left before its end: the child is stopped, not waited for.
        if self._child.poll() is None:
            self._child.kill()
        self._child.wait()
        for pipe in (self._child.stdout, self._child.stderr):
            if pipe is not None:
                pipe.close()
        super().close()


def _inflate(path: str, name: str) -> int:
    sha256 = hashlib.sha256()
    out = sys.stdout.buffer
    try:
        with ZipFile(path) as archive, archive.open(name) as entry:
            if archive.getinfo(name).compress_type == ZIP_DEFLATED:
                # ISA-L inflates twice as fast as zlib, behind the same interface.
                entry._decompressor = isal_zlib.decompressobj(-isal_zlib.MAX_WBITS)  # type: ignore[attr-defined]
            while chunk := entry.read(CHUNK_SIZE):
                sha256.update(chunk)
                out.write(chunk)
    except (BadZipFile, _INFLATE_ERROR, zlib.error, EOFError) as error:
        sys.stderr.write(str(error))
        return DAMAGED
    except BrokenPipeError:
        # The reader left before the end.
        return 1
    out.flush()
    sys.stderr.write(sha256.hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(_inflate(*sys.argv[1:3]))
