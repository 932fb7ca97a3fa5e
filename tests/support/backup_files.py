"""Backup files written with the format's own writer, for the tests of the format and of the
guard that reads uploads: definitions, rows, manifests, and memory measured while reading."""

import hashlib
import io
import json
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from models.crm import PropertyType
from services.backups.archive_guard import LIMITS, Limits, csv_records, open_zip
from services.backups.file_format import (
    MANIFEST_NAME,
    BackupWriter,
    FileEntry,
    Manifest,
    ObjectTypeDefinition,
    PropertyDefinition,
    read_backup,
)

SNAPSHOT_AT = datetime(2026, 11, 1, 12, 30, tzinfo=UTC)
DEALS = ObjectTypeDefinition(
    object_type="deals",
    singular_label="Deal",
    plural_label="Deals",
    properties=(
        PropertyDefinition(name="dealname", label="Deal name", type=PropertyType.STRING),
        PropertyDefinition(name="amount", label="Amount", type=PropertyType.NUMBER),
    ),
)
CONTACTS = ObjectTypeDefinition(
    object_type="contacts",
    singular_label="Contact",
    plural_label="Contacts",
    properties=(
        PropertyDefinition(name="firstname", label="First name", type=PropertyType.STRING),
        PropertyDefinition(
            name="phone", label="Phone number", type=PropertyType.STRING, sensitive=True
        ),
        PropertyDefinition(
            name="stage", label="Stage", type=PropertyType.ENUMERATION, options=("lead", "won")
        ),
    ),
)
EMPTY_TYPE = ObjectTypeDefinition(
    object_type="notes", singular_label="Note", plural_label="Notes", properties=()
)
# What an upload of deals and contacts may hold.
EXPECTED_ENTRIES = {MANIFEST_NAME, "deals.csv", "contacts.csv"}
# Values a naive CSV (or COPY) would break on, each to be kept exactly.
TRICKY_VALUES = [
    "plain",
    "with, comma",
    'with "quotes"',
    "line\nbreak",
    "carriage\rreturn",
    "crlf\r\nend",
    " padded ",
    "back\\slash",
    "\\.",
    "ünïcødé ✓",
    '{"looks": "like json"}',
    "NULL",
    '"',
    ",",
    "\n",
]

Rows = list[list[str | None]]


def write_deals_backup(path: Path, rows: int) -> Path:
    """A backup of `rows` deals, written in batches of 1,000 as the export writes them."""
    with BackupWriter(path.open("wb"), uuid4(), uuid4()) as writer:
        with writer.csv_file(DEALS) as entry:
            for start in range(0, rows, 1000):
                entry.write_rows(
                    [
                        [str(uuid4()), f"Deal {i}", str(i)]
                        for i in range(start, min(rows, start + 1000))
                    ]
                )
        writer.write_manifest(datetime(2026, 11, 1, tzinfo=UTC))
    return path


def contact_rows() -> Rows:
    """A contact per tricky value (every other phone blank), then one with no value at all."""
    rows: Rows = []
    for index, value in enumerate(TRICKY_VALUES):
        rows.append([str(uuid4()), value, None if index % 2 else value, "lead"])
    rows.append([str(uuid4()), None, None, None])
    return rows


def write_contacts_backup(path: Path, rows: Rows) -> None:
    """Contacts written in two batches, and a type of no properties with one record."""
    with BackupWriter(path.open("wb"), uuid4(), uuid4()) as writer:
        with writer.csv_file(CONTACTS) as entry:
            entry.write_rows(rows[:5])
            entry.write_rows(rows[5:])
        with writer.csv_file(EMPTY_TYPE) as entry:
            entry.write(b"0193a8f2-0000-7000-8000-000000000001\n")
            entry.copied(1)
        writer.write_manifest(SNAPSHOT_AT)


def manifest_of(path: Path) -> Any:
    """The manifest of a backup file, as plain JSON."""
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read(MANIFEST_NAME))


def manifest_for(files: dict[str, bytes]) -> bytes:
    """A manifest that lists `files` (deals CSVs) with their true checksums."""
    entries = [
        FileEntry(
            **DEALS.model_dump(),
            rows=data.count(b"\n") - 1,
            sha256=hashlib.sha256(data).hexdigest(),
        )
        for data in files.values()
    ]
    manifest = Manifest(
        account_id=uuid4(),
        backup_id=uuid4(),
        snapshot_at=datetime(2026, 11, 1, tzinfo=UTC),
        files=tuple(entries),
    )
    return manifest.model_dump_json().encode()


def read_everything(path: Path, limits: Limits = LIMITS) -> int:
    """Opens the file as the import does and reads every record; returns how many."""
    with open_zip(path, EXPECTED_ENTRIES, limits) as archive:
        reader = read_backup(archive)
        return sum(sum(1 for _ in reader.records(entry)) for entry in reader.manifest.files)


def text_of(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")


def csv_records_of(data: bytes, max_record_chars: int) -> list[list[str]]:
    return list(csv_records(text_of(data), max_record_chars))


@contextmanager
def peak_memory(limit_bytes: int) -> Iterator[None]:
    """Fails when the block's allocations peak at `limit_bytes` or more."""
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit_bytes, f"peak {peak:,} bytes"
