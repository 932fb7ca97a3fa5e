"""An uploaded file as an import reads it: a backup ZIP made by this service, or one CSV of an
object type (header `id`, then property names). Either way, files of rows for known object
types, whose columns are all properties the account defines.

Nothing is trusted: the ZIP goes through `services.archive_guard`, every CSV record is bounded,
and each file is checked (checksum, row count, record widths) in the pass that reads it: the
plan reads the whole file before the import can be started, so a damaged file fails the plan,
and the job checks it again as it applies it, with no pass of its own. `inspect_upload` is the
quick part, for the upload request itself.
"""

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol
from uuid import UUID

from models.crm import ObjectType
from services import backups
from services.backups import (
    ASSOCIATIONS_NAME,
    MANIFEST_NAME,
    BackupReader,
    CorruptBackup,
    Manifest,
    UnsafeFile,
    checked_rows,
    read_backup,
    read_manifest,
)
from services.core.errors import DomainError, ErrorCode
from services.crm import properties_by_name


class FileRefused(DomainError):
    """The file does not fit this account (unknown object type or properties, bad header)."""

    code = ErrorCode.NOT_RESTORABLE


class AnotherAccountsBackup(FileRefused):
    """A backup ZIP whose manifest names another account: its ids are that account's."""

    code = ErrorCode.BACKUP_OF_ANOTHER_ACCOUNT


# The last column of a CSV of refused rows (`services.restores.refusals`): not a property
# (no property name has a space), so an upload of the fixed file leaves it out.
REFUSAL_REASON_HEADER = "refusal reason"

# Every way a file is refused as a whole, before any of its rows is written.
REFUSALS = (UnsafeFile, CorruptBackup, FileRefused)


@dataclass(frozen=True)
class ImportFile:
    object_type: ObjectType
    # The property names of the file's columns after `id`, in file order.
    columns: tuple[str, ...]
    rows: int

    @property
    def name(self) -> str:
        return self.object_type.name


Rows = Iterator[Sequence[str]]


class Upload(Protocol):
    @property
    def files(self) -> Sequence[ImportFile]: ...

    @property
    def snapshot_at(self) -> datetime | None:
        """When a backup ZIP's values were current; None for a CSV, which does not say."""

    def rows(self, file: ImportFile) -> Rows:
        """The data rows: the record id, then a value per column ("" where blank)."""

    def associations(self) -> Iterator[Sequence[str]]:
        """(from id, to id, label) per association a backup ZIP holds; none for a CSV."""


async def account_types(account_id: UUID) -> dict[str, ObjectType]:
    """The account's object types by name, with their properties."""
    types = await ObjectType.filter(account_id=account_id).prefetch_related("properties")
    return {object_type.name: object_type for object_type in types}


def _checked_file(object_type: ObjectType, columns: Sequence[str], rows: int) -> ImportFile:
    if len(set(columns)) != len(columns):
        raise FileRefused(f"{object_type.name}: a column appears twice.")
    unknown = [name for name in columns if name not in properties_by_name(object_type)]
    if unknown:
        shown = ", ".join(repr(name[:64]) for name in unknown[:10])
        raise FileRefused(
            f"{object_type.name} has no properties called {shown}: create them first, or "
            "remove those columns."
        )
    return ImportFile(object_type, tuple(columns), rows)


def _object_type(types: Mapping[str, ObjectType], name: str) -> ObjectType:
    if name not in types:
        raise FileRefused(f"No object type called {name[:64]!r}.")
    return types[name]


# A backup ZIP.


def _expected_names(types: Mapping[str, ObjectType]) -> set[str]:
    return {MANIFEST_NAME, ASSOCIATIONS_NAME, *(f"{name}.csv" for name in types)}


def _backup_files(manifest: Manifest, types: Mapping[str, ObjectType]) -> list[ImportFile]:
    # The guard admitted only the account's types, and the manifest lists exactly the entries.
    return [
        _checked_file(
            types[entry.object_type], [prop.name for prop in entry.properties], entry.rows
        )
        for entry in manifest.files
    ]


def _checked_account(manifest: Manifest, account_id: UUID | None) -> Manifest:
    """`account_id` None: any account's backup (its rows become new records)."""
    if account_id is not None and manifest.account_id != account_id:
        raise AnotherAccountsBackup(
            "This backup was made of another account: its records are not this account's."
        )
    return manifest


class _BackupUpload:
    def __init__(self, reader: BackupReader, types: Mapping[str, ObjectType]) -> None:
        self._reader = reader
        self._entries = {entry.object_type: entry for entry in reader.manifest.files}
        self.files = _backup_files(reader.manifest, types)
        self.snapshot_at: datetime | None = reader.manifest.snapshot_at

    def rows(self, file: ImportFile) -> Rows:
        return self._reader.columns(self._entries[file.name], file.columns)

    def associations(self) -> Iterator[Sequence[str]]:
        return self._reader.associations()


# A single CSV.


@contextmanager
def _csv_rows(path: Path) -> Iterator[Iterator[list[str]]]:
    try:
        # utf-8-sig: spreadsheets often start a CSV with a byte order mark.
        with path.open("rb") as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
            yield _without_reasons(backups.csv_records(text))
    except (UnicodeDecodeError, csv.Error) as error:
        raise FileRefused(f"The CSV cannot be read: {error}") from None


def _without_reasons(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """The rows, less a last column of refusal reasons (a fixed CSV of refused rows)."""
    header = next(rows, None)
    if header is None:
        return
    if header[-1] != REFUSAL_REASON_HEADER:
        yield header
        yield from rows
        return
    width = len(header)
    yield header[:-1]
    for row in rows:
        # A row of another width is left whole, for the width check to refuse it.
        yield row[:-1] if len(row) == width else row


def _csv_columns(rows: Iterator[list[str]]) -> list[str]:
    header = next(rows, None)
    if not header or header[0] != "id":
        raise FileRefused("The CSV must start with a header row whose first column is `id`.")
    return header[1:]


class _CsvUpload:
    def __init__(self, path: Path, object_type: ObjectType) -> None:
        self._path = path
        self._file_name = f"{object_type.name}.csv"
        with _csv_rows(path) as rows:
            columns = _csv_columns(rows)
            # Reading every row once checks their widths and counts them.
            count = sum(1 for _ in checked_rows(rows, len(columns) + 1, self._file_name))
        self.files = [_checked_file(object_type, columns, count)]
        self.snapshot_at: datetime | None = None

    def rows(self, file: ImportFile) -> Rows:
        with _csv_rows(self._path) as rows:
            next(rows)
            yield from checked_rows(rows, len(file.columns) + 1, self._file_name)

    def associations(self) -> Iterator[Sequence[str]]:
        yield from ()


def inspect_upload(
    path: Path, object_type_name: str, types: Mapping[str, ObjectType], account_id: UUID | None
) -> None:
    """Quick checks, for the upload request: the ZIP's listing and manifest (of this account),
    or the CSV's header. Raises one of REFUSALS."""
    if object_type_name:
        object_type = _object_type(types, object_type_name)
        with _csv_rows(path) as rows:
            _checked_file(object_type, _csv_columns(rows), 0)
        return
    with backups.open_zip(path, _expected_names(types)) as archive:
        _backup_files(_checked_account(read_manifest(archive), account_id), types)


@contextmanager
def open_upload(
    path: Path, object_type_name: str, types: Mapping[str, ObjectType], account_id: UUID | None
) -> Iterator[Upload]:
    """The file, its manifest and listing checked (a CSV: read through once, for its header,
    widths and rows); a ZIP's files are checked in the pass that reads their rows (checksums,
    row counts, record widths), raising CorruptBackup there. Raises one of REFUSALS."""
    if object_type_name:
        yield _CsvUpload(path, _object_type(types, object_type_name))
        return
    with backups.open_zip(path, _expected_names(types)) as archive:
        reader = read_backup(archive, files=False)
        _checked_account(reader.manifest, account_id)
        yield _BackupUpload(reader, types)
