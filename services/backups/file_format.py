"""The backup file: one ZIP holding `<object type>.csv` per object type with records, and
`manifest.json`.

A CSV starts with the header `id`, then the type's property names in definition order; each
row holds a record's id and its values exactly as stored, blank where a value is absent.
Columns are read by position: files written before the name `id` was reserved for the record
id may hold a property called `id` too. The
manifest gives the format version, the account, the backup, the snapshot time and, for each
CSV, its type's labels and property definitions, its row count and the SHA-256 of its bytes.

Files are written and checked as streams, one entry at a time, so memory does not grow with
the account.
"""

import csv
import hashlib
import io
import itertools
import zlib
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import IO, Annotated, Final, Literal, Protocol, Self
from uuid import UUID
from zipfile import ZIP_DEFLATED, BadZipFile, ZipFile

from isal import isal_zlib
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from models.crm import PropertyType
from services.backups.archive_guard import csv_records
from services.backups.inflating import inflated
from services.core.errors import DomainError, ErrorCode
from services.crm import NAME_PATTERN
from services.storage import WrittenFile

FORMAT_VERSION: Final = 1
MANIFEST_NAME = "manifest.json"
ASSOCIATIONS_NAME = "associations.csv"
ASSOCIATIONS_HEADER = ["from_id", "to_id", "label"]
# The export is bound by compression, so speed wins: ISA-L's level 1 deflates a backup's CSV
# about six times faster than zlib's level 1 (which was three times faster than zlib's default
# 6), into a file a little smaller than zlib's level 1 makes. The benchmark's floor deflates
# the same way (`deflated_entry`).
COMPRESS_LEVEL = 1
CHUNK_SIZE = 1 << 20
# What the text stream under the csv module asks of the file at a time (its default, 8 KiB,
# makes eight times the Python calls for the same bytes).
TEXT_CHUNK_SIZE = 1 << 16
# What a reader of unparsed rows asks of the entry at a time: as much as the inflating child's
# pipe holds.
RAW_CHUNK_SIZE = 1 << 20
# A line of a backup's CSV: far more than a record of this service holds (a value is at most
# 65,536 characters, a few dozen properties).
MAX_LINE_BYTES = 16 << 20
# A manifest describes types and properties only; anything this large is not one of ours.
MAX_MANIFEST_BYTES = 16 << 20

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN.pattern)]


class CorruptBackup(DomainError):
    """The file is not a complete, intact backup: nothing in it may be restored."""

    code = ErrorCode.NOT_RESTORABLE


# A row of a backup's CSV as written: its record id, and its bytes without the line end.
UnparsedRow = tuple[str, bytes]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PropertyDefinition(_Frozen):
    name: Name
    label: str
    type: PropertyType
    options: tuple[str, ...] = ()
    sensitive: bool = False


class ObjectTypeDefinition(_Frozen):
    object_type: Name
    singular_label: str
    plural_label: str
    properties: tuple[PropertyDefinition, ...]

    @property
    def file_name(self) -> str:
        return f"{self.object_type}.csv"

    @property
    def header(self) -> list[str]:
        return ["id", *(prop.name for prop in self.properties)]

    @model_validator(mode="after")
    def _distinct_properties(self) -> Self:
        names = [prop.name for prop in self.properties]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.object_type} lists a property twice")
        return self


class FileEntry(ObjectTypeDefinition):
    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class AssociationsEntry(_Frozen):
    """associations.csv: `from_id`, `to_id`, `label` per association between two records
    of the backup."""

    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @property
    def file_name(self) -> str:
        return ASSOCIATIONS_NAME

    @property
    def header(self) -> list[str]:
        return ASSOCIATIONS_HEADER


class Manifest(_Frozen):
    format_version: Literal[1] = FORMAT_VERSION
    account_id: UUID
    backup_id: UUID
    snapshot_at: AwareDatetime
    files: tuple[FileEntry, ...]
    # Only in a backup asked to include them.
    associations: AssociationsEntry | None = None

    @property
    def object_counts(self) -> dict[str, int]:
        return {entry.object_type: entry.rows for entry in self.files}

    @property
    def entries(self) -> tuple["FileEntry | AssociationsEntry", ...]:
        """Every CSV the backup holds."""
        return (*self.files, *((self.associations,) if self.associations else ()))

    @model_validator(mode="after")
    def _distinct_files(self) -> Self:
        names = [entry.object_type for entry in self.files]
        if len(set(names)) != len(names):
            raise ValueError("an object type is listed twice")
        return self


class _RecordCounter:
    """Counts CSV records in a byte stream: a record ends at a newline outside quotes. An
    escaped quote is two quotes, so the parity of the quotes seen says whether a newline is
    inside a quoted value."""

    def __init__(self) -> None:
        self.count = 0
        self._quoted = False

    def feed(self, data: bytes) -> None:
        parts = data.split(b'"')
        unquoted = parts[1::2] if self._quoted else parts[::2]
        self.count += sum(part.count(b"\n") for part in unquoted)
        if len(parts) % 2 == 0:
            self._quoted = not self._quoted


class _Readable(Protocol):
    name: str

    def read(self, size: int = -1, /) -> bytes: ...


class _Writable(Protocol):
    def write(self, data: bytes | memoryview, /) -> object: ...


class CsvEntry:
    """One CSV being written into the ZIP; hashes exactly the bytes written, and counts the
    rows (data rows: the header is not one)."""

    def __init__(self, stream: _Writable, file_name: str, header: list[str]) -> None:
        self._stream = stream
        self.file_name = file_name
        self._sha256 = hashlib.sha256()
        self.rows = 0
        self._text = io.StringIO()
        # Lines end with LF, as PostgreSQL's COPY writes them, so both sources give one format.
        self._minimal = csv.writer(self._text, lineterminator="\n")
        self._quote_all = csv.writer(self._text, lineterminator="\n", quoting=csv.QUOTE_ALL)
        self._write_text(self._encoded([header]))

    def write(self, data: bytes | memoryview) -> None:
        """Raw CSV bytes in this file's dialect (e.g. from COPY ... (FORMAT csv)); their rows
        are counted by their source, which reports them with `copied`."""
        self._sha256.update(data)
        self._stream.write(data)

    def copied(self, rows: int) -> None:
        self.rows += rows

    def write_rows(self, rows: Sequence[Sequence[str | None]]) -> None:
        self._write_text(self._encoded(rows))
        self.rows += len(rows)

    def _encoded(self, rows: Sequence[Sequence[str | None]]) -> str:
        text = self._encode(rows, quote_all=False)
        if "\r" in text:
            # The csv module quotes only for the characters of the line terminator, so a value
            # holding a bare CR would go out unquoted and split its record when read back.
            text = self._encode(rows, quote_all=True)
        return text

    def _write_text(self, text: str) -> None:
        self.write(text.encode())

    def _encode(self, rows: Sequence[Sequence[str | None]], *, quote_all: bool) -> str:
        self._text.seek(0)
        self._text.truncate()
        (self._quote_all if quote_all else self._minimal).writerows(rows)
        return self._text.getvalue()

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()


class _DigestingFile(io.RawIOBase):
    """A file being written, hashed as it goes. It cannot seek, so ZipFile writes every byte
    once and in order (each entry's sizes follow its data, in a data descriptor): the hash is
    then the whole file's, with no second read."""

    def __init__(self, file: WrittenFile) -> None:
        super().__init__()
        self._file = file
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._file.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._file.flush()


def _deflater() -> isal_zlib.Compress:
    """Raw deflate, as a ZIP entry holds it."""
    return isal_zlib.compressobj(COMPRESS_LEVEL, isal_zlib.DEFLATED, -isal_zlib.MAX_WBITS)


@contextmanager
def deflated_entry(archive: ZipFile, name: str) -> Iterator[IO[bytes]]:
    """A new entry of a ZIP opened with ZIP_DEFLATED, deflated by ISA-L rather than by
    ZipFile's zlib: ZipFile takes the compressor from a private attribute of the entry's
    stream, replaced before the first byte is written (it computes the CRC-32 and sizes from
    the bytes given, whoever compresses them)."""
    # force_zip64: the size is not known in advance and may pass 4 GiB.
    with archive.open(name, "w", force_zip64=True) as stream:
        stream._compressor = _deflater()  # type: ignore[attr-defined]
        yield stream


class _DeflatingFile:
    """Raw deflate (as a ZIP entry holds it) into a file, with the CRC-32 and size of what went
    in: a ZIP entry's data, made apart from its ZIP."""

    def __init__(self, file: IO[bytes]) -> None:
        self._file = file
        self._compressor = _deflater()
        self.crc = 0
        self.size = 0

    def write(self, data: bytes | memoryview) -> int:
        self.crc = isal_zlib.crc32(data, self.crc)
        self.size += len(data)
        self._file.write(self._compressor.compress(data))
        return len(data)

    def finish(self) -> None:
        self._file.write(self._compressor.flush())
        self._file.close()


class SpooledCsv:
    """One CSV deflated into a file of its own, to be placed in a backup by `BackupWriter.add`:
    several can be written at once (one per export stream) while the backup's ZIP is still
    written one entry after another. Close it once written; `path` is the caller's to
    delete."""

    def __init__(self, path: Path, definition: ObjectTypeDefinition) -> None:
        self.path = path
        self.definition = definition
        self._deflating = _DeflatingFile(path.open("wb"))
        self.entry = CsvEntry(self._deflating, definition.file_name, definition.header)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._deflating.finish()

    @property
    def crc(self) -> int:
        return self._deflating.crc

    @property
    def size(self) -> int:
        return self._deflating.size


class _AsDeflated:
    """The compressor of a ZIP entry whose data comes already deflated: it passes bytes on."""

    def compress(self, data: bytes) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


def _file_entry(definition: ObjectTypeDefinition, entry: CsvEntry) -> FileEntry:
    return FileEntry(**definition.model_dump(), rows=entry.rows, sha256=entry.sha256)


class BackupWriter:
    """Writes a backup ZIP one CSV at a time, then its manifest. A file closed without
    `write_manifest` has no manifest, so `verify` refuses it. Once closed, `size_bytes` and
    `sha256` are the whole file's."""

    def __init__(self, file: WrittenFile, account_id: UUID, backup_id: UUID) -> None:
        """Writes to `file`, new and empty, and closes it."""
        self._file = file
        self._digesting = _DigestingFile(self._file)
        self._zip = ZipFile(self._digesting, "w", ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        self._account_id = account_id
        self._backup_id = backup_id
        self._files: list[FileEntry] = []
        self._associations: AssociationsEntry | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._zip.close()
        finally:
            self._file.close()

    @property
    def size_bytes(self) -> int:
        return self._digesting.size

    @property
    def sha256(self) -> str:
        return self._digesting.sha256.hexdigest()

    @contextmanager
    def csv_file(self, definition: ObjectTypeDefinition) -> Iterator[CsvEntry]:
        with self._entry(definition.file_name, definition.header) as entry:
            yield entry
        self._files.append(_file_entry(definition, entry))

    @contextmanager
    def associations_file(self) -> Iterator[CsvEntry]:
        with self._entry(ASSOCIATIONS_NAME, ASSOCIATIONS_HEADER) as entry:
            yield entry
        self._associations = AssociationsEntry(rows=entry.rows, sha256=entry.sha256)

    @contextmanager
    def _entry(self, file_name: str, header: list[str]) -> Iterator[CsvEntry]:
        with deflated_entry(self._zip, file_name) as stream:
            yield CsvEntry(stream, file_name, header)

    def add(self, spooled: SpooledCsv) -> None:
        """Places a closed SpooledCsv as this file's next entry, its deflated bytes as they are.
        ZipFile writes the entry (its headers, the data descriptor, the directory) as for
        `csv_file`, though it computes the CRC-32 and size from the bytes it is given: for
        deflated bytes, those of the CSV are set before it closes the entry."""
        # One buffer for the whole entry: one per read is a mapping of its own in a worker.
        buffer = memoryview(bytearray(CHUNK_SIZE))
        with (
            self._zip.open(spooled.entry.file_name, "w", force_zip64=True) as stream,
            spooled.path.open("rb", buffering=0) as deflated,
        ):
            stream._compressor = _AsDeflated()  # type: ignore[attr-defined]
            while read := deflated.readinto(buffer):
                stream.write(buffer[:read])
            stream._crc = spooled.crc  # type: ignore[attr-defined]
            stream._file_size = spooled.size  # type: ignore[attr-defined]
        self._files.append(_file_entry(spooled.definition, spooled.entry))

    def write_manifest(
        self, snapshot_at: AwareDatetime, in_order: Sequence[str] | None = None
    ) -> Manifest:
        """The manifest lists the CSV files as written, or by their names' order in
        `in_order` (files written in any order list as if written one after another)."""
        files = self._files
        if in_order is not None:
            position = {name: index for index, name in enumerate(in_order)}
            files = sorted(files, key=lambda entry: position[entry.file_name])
        manifest = Manifest(
            account_id=self._account_id,
            backup_id=self._backup_id,
            snapshot_at=snapshot_at,
            files=tuple(files),
            associations=self._associations,
        )
        self._zip.writestr(MANIFEST_NAME, manifest.model_dump_json(indent=2))
        return manifest


def verify(path: Path) -> Manifest:
    """The manifest of an intact backup; raises CorruptBackup for anything else."""
    with _opened(path) as archive:
        return _verified_manifest(archive)


class BackupReader:
    """A verified backup, read one object type at a time."""

    def __init__(self, archive: ZipFile, manifest: Manifest) -> None:
        self._archive = archive
        self.manifest = manifest

    def records(self, entry: FileEntry) -> Iterator[tuple[str, dict[str, str]]]:
        """(record id, property name -> value) per row; blank values are absent, as stored."""
        names = [prop.name for prop in entry.properties]
        for record_id, *values in self.rows(entry):
            pairs = zip(names, values, strict=True)
            yield record_id, {name: value for name, value in pairs if value}

    def rows(self, entry: FileEntry) -> Iterator[list[str]]:
        """The data rows as they are: the record id, then a value per property ("" where
        blank), each checked for its width."""
        with _damage_refused(), _csv_reader(self._archive, entry) as rows:
            next(rows)
            yield from checked_rows(rows, len(entry.properties) + 1, entry.file_name)

    def associations(self) -> Iterator[Sequence[str]]:
        """(from id, to id, label) per row of associations.csv; none when the backup has none.
        Checked in the pass that reads it, as `columns` checks a file."""
        entry = self.manifest.associations
        if entry is None:
            return
        yield from self._checked_rows(entry)

    def columns(self, entry: FileEntry, names: Sequence[str]) -> Iterator[tuple[str, ...]]:
        """(record id, then the value of each of `names`, "" where blank) per row: a few
        columns of a large file, with no object built per record.

        The file is checked in the same pass, whether or not `open_backup` checked it: its
        header first, its row count and SHA-256 once its last row is read, the compressed
        data's CRC-32 as it is read. A damaged file raises CorruptBackup there, after the rows
        it gave: a caller that must not act on any of them reads the file through once first
        (a restore's plan does, before it may be started)."""
        # By position, never by header name: a property once allowed to be called `id` shares
        # its header with the record id's column.
        positions = {prop.name: n for n, prop in enumerate(entry.properties, start=1)}
        if unknown := [name for name in names if name not in positions]:
            raise CorruptBackup(f"{entry.file_name} has no column {', '.join(unknown)}.")
        pick = itemgetter(0, *(positions[name] for name in names))
        yield from map(pick, self._checked_rows(entry))

    def every_column(self, entry: FileEntry) -> Generator[list[str], None, None]:
        """(record id, then every property's value in the file's order, "" where blank) per
        row: the rows as parsed, with no copy made of each. Checked as `columns` checks them;
        closed before its end, it stops reading the file."""
        return self._checked_rows(entry)

    def unparsed_rows(self, entry: FileEntry) -> Generator[list[UnparsedRow], None, None]:
        """The data rows as written, a chunk of the file at a time, none parsed: for two
        backups of the same properties, where most records are the same bytes on both sides
        and only the others need parsing (`parse_row`). Checked as `columns` checks, but for
        each row's width, which `parse_row` checks where a row is parsed."""
        rows = 0
        with _damage_refused(), inflated(self._archive, entry.file_name) as stream:
            chunks = _records_by_chunk(stream)
            first = next(chunks, [b""])
            if _parsed(first.pop(0)) != entry.header:
                raise CorruptBackup(f"{entry.file_name} does not start with its header.")
            for records in itertools.chain([first], chunks):
                rows += len(records)
                # The id is the first field: a UUID, so it ends at the first comma, and is
                # quoted only when the whole row is (a row of a value holding a CR).
                yield [
                    (record.partition(b",")[0].strip(b'"').decode(), record) for record in records
                ]
            if stream.sha256() != entry.sha256:
                raise CorruptBackup(f"{entry.file_name} does not match its checksum.")
        _check_count(entry, rows)

    def parse_row(self, entry: FileEntry, row: UnparsedRow) -> list[str]:
        """One of `unparsed_rows`, parsed and checked for its width."""
        with _damage_refused():
            values = _parsed(row[1])
        if len(values) != len(entry.header):
            raise CorruptBackup(
                f"{entry.file_name}, record {row[0]}: {len(values)} fields, not "
                f"{len(entry.header)}."
            )
        return values

    def _checked_rows(
        self, entry: FileEntry | AssociationsEntry
    ) -> Generator[list[str], None, None]:
        """The data rows, each checked for its width, then the file: its header first, its row
        count and SHA-256 once its last row is read, the compressed data's CRC-32 as it is
        read."""
        rows = 0
        width = len(entry.header)
        with (
            _damage_refused(),
            inflated(self._archive, entry.file_name) as stream,
            _BoundedLines(stream) as lines,
            io.TextIOWrapper(lines, encoding="utf-8", newline="") as text,
        ):
            text._CHUNK_SIZE = TEXT_CHUNK_SIZE  # type: ignore[attr-defined]
            # The csv module reads the text stream line by line in C, as the floor's reader does:
            # no Python step per line, only per chunk (bounded) and per row (its width).
            records = csv.reader(text)
            if next(records, None) != entry.header:
                raise CorruptBackup(f"{entry.file_name} does not start with its header.")
            # The width checked here rather than by `checked_rows`: one generator step less
            # per row, of the millions a comparison or an import reads.
            for row in records:
                rows += 1
                if len(row) != width:
                    raise _wrong_width(entry.file_name, rows + 1, row, width)
                yield row
            if stream.sha256() != entry.sha256:
                raise CorruptBackup(f"{entry.file_name} does not match its checksum.")
        _check_count(entry, rows)


def _check_count(entry: FileEntry | AssociationsEntry, rows: int) -> None:
    if rows != entry.rows:
        raise CorruptBackup(f"{entry.file_name} has {rows} rows; the manifest says {entry.rows}.")


def _parsed(record: bytes) -> list[str]:
    return next(csv.reader([record.decode()]), [])


def _records_by_chunk(stream: _Readable) -> Iterator[list[bytes]]:
    """The CSV's records as written, without their line end, a chunk of the stream at a time.
    A record ends at a newline outside quotes: a line holding an odd number of quotes ends
    inside a quoted value, and its record goes on to the next line that does."""
    carried = b""
    while chunk := stream.read(RAW_CHUNK_SIZE):
        text = carried + chunk
        *lines, carried = text.split(b"\n")
        if b'"' in text:
            lines, unended = _whole_records(lines)
            carried = b"\n".join([*unended, carried])
        if len(carried) > MAX_LINE_BYTES:
            raise CorruptBackup(f"A line is longer than {MAX_LINE_BYTES:,} bytes.")
        if lines:
            yield lines
    if carried:
        # A last record without its line end.
        yield [carried]


def _whole_records(lines: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """Complete lines joined into records, and the lines of a record not ended yet."""
    records = []
    open_record: list[bytes] = []
    for line in lines:
        odd = line.count(b'"') % 2
        if open_record:
            open_record.append(line)
            if odd:
                records.append(b"\n".join(open_record))
                open_record = []
        elif odd:
            open_record = [line]
        else:
            records.append(line)
    return records, open_record


class _BoundedLines(io.BufferedIOBase):
    """A CSV's bytes on their way to a text stream, refused once a line runs past
    MAX_LINE_BYTES: the text stream would hold a line without end whole."""

    def __init__(self, raw: _Readable) -> None:
        super().__init__()
        self._raw = raw
        # The bytes of the line not ended yet.
        self._open_line = 0

    @property
    def name(self) -> str:
        return self._raw.name

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1, /) -> bytes:
        # What TextIOWrapper reads through, when its buffer has it.
        data = self._raw.read(size)
        end = data.rfind(b"\n")
        self._open_line = self._open_line + len(data) if end < 0 else len(data) - end - 1
        if self._open_line > MAX_LINE_BYTES:
            raise CorruptBackup(f"A line is longer than {MAX_LINE_BYTES:,} bytes.")
        return data


def checked_rows(rows: Iterator[list[str]], width: int, file_name: str) -> Iterator[list[str]]:
    """The data rows, each refused unless it has `width` fields."""
    for line, row in enumerate(rows, start=2):
        if len(row) != width:
            raise _wrong_width(file_name, line, row, width)
        yield row


def _wrong_width(file_name: str, line: int, row: list[str], width: int) -> CorruptBackup:
    return CorruptBackup(f"{file_name}, line {line}: {len(row)} fields, not {width}.")


@contextmanager
def open_backup(path: Path, *, files: bool = True) -> Iterator[BackupReader]:
    """Verifies the file first, nothing is read from a damaged backup: the manifest, the listing
    and every file; with `files=False` the manifest and the listing only, for a reader of
    `columns`, which checks a file in the pass that reads it."""
    with _opened(path) as archive:
        if files:
            yield BackupReader(archive, _verified_manifest(archive))
        else:
            yield BackupReader(archive, read_manifest(archive))


def read_backup(archive: ZipFile, *, files: bool = True) -> BackupReader:
    """A reader over an archive the caller opened (an untrusted one through
    `services.backups.archive_guard.open_zip`), once the whole of it is verified; with
    `files=False` its manifest and listing only, for a reader of `columns` and `associations`,
    which check a file in the pass that reads it."""
    if files:
        return BackupReader(archive, _verified_manifest(archive))
    return BackupReader(archive, read_manifest(archive))


def read_manifest(archive: ZipFile) -> Manifest:
    """The manifest, checked against the archive's listing only: a quick look, no contents
    read. `read_backup` verifies the rest."""
    with _damage_refused():
        manifest = _read_manifest(archive)
        _check_listing(archive, manifest)
        return manifest


@contextmanager
def _damage_refused() -> Iterator[None]:
    try:
        yield
    except (BadZipFile, zlib.error, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise CorruptBackup(f"The backup file is damaged: {error}") from error


@contextmanager
def _opened(path: Path) -> Iterator[ZipFile]:
    with _damage_refused(), ZipFile(path) as archive:
        yield archive


@contextmanager
def _csv_reader(
    archive: ZipFile, entry: FileEntry | AssociationsEntry
) -> Iterator[Iterator[list[str]]]:
    with (
        archive.open(entry.file_name) as raw,
        io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
    ):
        yield csv_records(text)


def _verified_manifest(archive: ZipFile) -> Manifest:
    with _damage_refused():
        manifest = _read_manifest(archive)
        _check_listing(archive, manifest)
        for entry in manifest.entries:
            _check_file(archive, entry)
        return manifest


def _read_manifest(archive: ZipFile) -> Manifest:
    if MANIFEST_NAME not in archive.NameToInfo:
        raise CorruptBackup(f"The backup has no {MANIFEST_NAME}.")
    with archive.open(MANIFEST_NAME) as stream:
        data = stream.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise CorruptBackup(f"{MANIFEST_NAME} is too large.")
    try:
        return Manifest.model_validate_json(data)
    except ValidationError as error:
        raise CorruptBackup(f"{MANIFEST_NAME} is malformed: {error}") from None


def _check_listing(archive: ZipFile, manifest: Manifest) -> None:
    names = archive.namelist()
    if len(set(names)) != len(names):
        raise CorruptBackup("The backup holds two entries with one name.")
    expected = {MANIFEST_NAME, *(entry.file_name for entry in manifest.entries)}
    if missing := expected - set(names):
        raise CorruptBackup(f"Listed in the manifest but missing: {', '.join(sorted(missing))}.")
    if unlisted := set(names) - expected:
        raise CorruptBackup(f"Not listed in the manifest: {', '.join(sorted(unlisted))}.")


def _check_file(archive: ZipFile, entry: FileEntry | AssociationsEntry) -> None:
    sha256 = hashlib.sha256()
    records = _RecordCounter()
    with archive.open(entry.file_name) as stream:
        while chunk := stream.read(CHUNK_SIZE):
            sha256.update(chunk)
            records.feed(chunk)
    if sha256.hexdigest() != entry.sha256:
        raise CorruptBackup(f"{entry.file_name} does not match its checksum.")
    if records.count - 1 != entry.rows:
        raise CorruptBackup(
            f"{entry.file_name} has {records.count - 1} rows; the manifest says {entry.rows}."
        )
    with _csv_reader(archive, entry) as rows:
        if next(rows, None) != entry.header:
            raise CorruptBackup(f"{entry.file_name} does not start with its header.")
