"""Bounds on reading an untrusted file (an uploaded backup ZIP or CSV), so that a hostile one
is refused with a clear error, in bounded memory and time, and nothing is extracted to disk.

- The listing (the ZIP's central directory), before any entry is read: plain, expected and
  distinct names; the number of entries; declared sizes and compression ratios; entries whose
  compressed data overlap (a bomb that reuses one compressed kernel under many names).
- The bytes: each entry read through `open_zip` is counted as it is decompressed, and refused
  past its declared size, so sizes that lie cannot reach past the checks made on them.
- CSV records: one record (a line, or several while a quoted value holds line breaks) is
  refused past a length, before the csv module would build it in memory.
"""

import csv
import io
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO, cast
from zipfile import ZIP_DEFLATED, ZIP_STORED, BadZipFile, ZipFile, ZipInfo

from services.core.errors import DomainError, ErrorCode

# Every local file header is at least this long, plus its file name.
LOCAL_HEADER_BYTES = 30
# A name is shown in an error at most this long: it comes from the file, not from us.
SHOWN_NAME_CHARS = 80


class UnsafeFile(DomainError):
    """The file is refused before anything in it is used."""

    code = ErrorCode.NOT_RESTORABLE


@dataclass(frozen=True)
class Limits:
    # Far more than the object types an account has, each a file, plus the manifest.
    max_entries: int = 1_000
    # Uncompressed, all entries together.
    max_total_bytes: int = 32 << 30
    # CSV deflates about 5 to 20 times; a bomb reaches about 1,000.
    max_ratio: int = 200
    # Small entries (a manifest) may have any ratio: nothing large can come out of them.
    ratio_checked_from_bytes: int = 1 << 20
    # 16 Mi characters: a record holds at most a few hundred values of 64 Ki characters.
    max_record_chars: int = 16 << 20


LIMITS = Limits()


def _shown(name: str) -> str:
    return repr(name if len(name) <= SHOWN_NAME_CHARS else name[:SHOWN_NAME_CHARS] + "...")


def _has_path(name: str) -> bool:
    """Directories, `..`, absolute and drive paths, backslashes, control characters."""
    return (
        name in ("", ".", "..")
        or any(separator in name for separator in ("/", "\\", ":"))
        or any(unicodedata.category(char).startswith("C") for char in name)
    )


def _check_entry(entry: ZipInfo, expected: Collection[str], limits: Limits) -> None:
    name = entry.filename
    if _has_path(name):
        raise UnsafeFile(
            f"The entry {_shown(name)} has a path: only plain file names are accepted."
        )
    if name not in expected:
        raise UnsafeFile(
            f"Unexpected entry {_shown(name)}: a backup holds manifest.json and one "
            "<object type>.csv per object type of this account."
        )
    if entry.flag_bits & 0x1:
        raise UnsafeFile(f"{name} is encrypted.")
    if entry.compress_type not in (ZIP_STORED, ZIP_DEFLATED):
        raise UnsafeFile(f"{name} uses a compression method backups never use.")
    if entry.file_size >= limits.ratio_checked_from_bytes and (
        entry.file_size > entry.compress_size * limits.max_ratio
    ):
        raise UnsafeFile(
            f"{name} would expand more than {limits.max_ratio} times: refused as a zip bomb."
        )


def _check_no_overlap(entries: Sequence[ZipInfo], directory_offset: int) -> None:
    """Each entry's compressed data must end before the next entry (or the directory) begins."""
    ordered = sorted(entries, key=lambda entry: entry.header_offset)
    bounds = [entry.header_offset for entry in ordered[1:]] + [directory_offset]
    for entry, next_start in zip(ordered, bounds, strict=True):
        data_end = (
            entry.header_offset
            + LOCAL_HEADER_BYTES
            + len(entry.filename.encode())
            + entry.compress_size
        )
        if data_end > next_start:
            raise UnsafeFile(f"{entry.filename} overlaps another entry: refused as a zip bomb.")


def check_listing(archive: ZipFile, expected: Collection[str], limits: Limits = LIMITS) -> None:
    """Refuse the archive from its listing alone, before any entry is decompressed."""
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise UnsafeFile(f"The archive has {len(entries)} entries; at most {limits.max_entries}.")
    for entry in entries:
        _check_entry(entry, expected, limits)
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise UnsafeFile("The archive holds two entries with one name.")
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_total_bytes:
        raise UnsafeFile(
            f"The archive would expand to {total:,} bytes; at most {limits.max_total_bytes:,}."
        )
    _check_no_overlap(entries, archive.start_dir)


class _Measured(io.BufferedIOBase):
    """An entry's decompressed bytes, refused past the size its listing declared."""

    def __init__(self, stream: IO[bytes], name: str, declared: int) -> None:
        super().__init__()
        self._stream = stream
        self._name = name
        self._left = declared

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self._stream.read(-1 if size is None else size))

    def read1(self, size: int = -1) -> bytes:
        return self._counted(self._stream.read1(size))  # type: ignore[attr-defined]

    def _counted(self, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise UnsafeFile(f"{self._name} holds more than its declared size: refused.")
        return data

    def close(self) -> None:
        self._stream.close()
        super().close()


class _MeasuredZipFile(ZipFile):
    def open(  # type: ignore[override]
        self,
        name: str | ZipInfo,
        mode: str = "r",
        pwd: bytes | None = None,
        *,
        force_zip64: bool = False,
    ) -> IO[bytes]:
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)  # type: ignore[arg-type]
        if mode != "r":
            return stream
        info = name if isinstance(name, ZipInfo) else self.getinfo(name)
        return cast(IO[bytes], _Measured(stream, info.filename, info.file_size))


@contextmanager
def open_zip(path: Path, expected: Collection[str], limits: Limits = LIMITS) -> Iterator[ZipFile]:
    """The archive, once its listing passed; every entry read from it is measured."""
    try:
        archive = _MeasuredZipFile(path)
    except (BadZipFile, EOFError, ValueError) as error:
        raise UnsafeFile(f"Not a ZIP archive, or a truncated one: {error}") from None
    with archive:
        check_listing(archive, expected, limits)
        yield archive


class _RecordBudget:
    """Lines for the csv module, refused once the current record passes its length."""

    def __init__(self, text: TextIO, max_record_chars: int) -> None:
        self._text = text
        self._max = max_record_chars
        self._left = max_record_chars

    def __iter__(self) -> "_RecordBudget":
        return self

    def __next__(self) -> str:
        # Reads at most one character past the budget, however long the line.
        line = self._text.readline(self._left + 1)
        if not line:
            raise StopIteration
        self._left -= len(line)
        if self._left < 0:
            raise UnsafeFile(f"A CSV record is longer than {self._max:,} characters.")
        return line

    def next_record(self) -> None:
        self._left = self._max


def csv_records(
    text: TextIO, max_record_chars: int = LIMITS.max_record_chars
) -> Iterator[list[str]]:
    """The CSV's records, each bounded in length. (A single value is bounded further by the csv
    module's field size limit, 131,072 characters by default, above the longest value a
    property accepts.)"""
    budget = _RecordBudget(text, max_record_chars)
    for record in csv.reader(budget):
        yield record
        budget.next_record()
