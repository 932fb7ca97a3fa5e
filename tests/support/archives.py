"""ZIP files built and rewritten entry by entry, hostile ones included."""

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

Entries = list[tuple[str, bytes]]
# Rewrites the central directory before it is written: a size that lies, an overlap...
Tamper = Callable[[list[zipfile.ZipInfo]], None]


def zip_bytes(
    entries: Entries, tamper: Tamper | None = None, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A ZIP of `entries`, in order (a repeated name is written twice)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
        if tamper:
            tamper(archive.filelist)
    return buffer.getvalue()


def write_zip(
    path: Path,
    entries: Entries,
    tamper: Tamper | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    path.write_bytes(zip_bytes(entries, tamper, compression))
    return path


def rewritten_zip(
    content: bytes,
    change: Callable[[str, bytes], bytes | None],
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A copy of a ZIP with each entry passed through `change` (None drops it)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = [(name, change(name, archive.read(name))) for name in archive.namelist()]
    return zip_bytes(
        [(name, data) for name, data in entries if data is not None], None, compression
    )


def replaced(content: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """A copy of a ZIP with the entry `name` passed through `change`."""
    return rewritten_zip(content, lambda entry, data: change(data) if entry == name else data)


def rewrite_zip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """`rewritten_zip` from file to file, entries stored uncompressed."""
    target.write_bytes(rewritten_zip(source.read_bytes(), change, zipfile.ZIP_STORED))
    return target
