import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from services.backups import file_format, inflating
from services.backups.file_format import (
    MANIFEST_NAME,
    BackupWriter,
    CorruptBackup,
    open_backup,
    verify,
)
from tests.support.archives import rewrite_zip
from tests.support.backup_files import (
    CONTACTS,
    SNAPSHOT_AT,
    TRICKY_VALUES,
    Rows,
    contact_rows,
    manifest_of,
    peak_memory,
    write_contacts_backup,
)


@pytest.fixture(autouse=True, params=["in process", "by a child"])
def inflating_where(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test reads its entries both ways: inflated in the reader's process (entries this
    small always are) and by a child process (as large ones are)."""
    if request.param == "by a child":
        monkeypatch.setattr(inflating, "CHILD_MIN_BYTES", 0)


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, Rows]:
    """A backup, and the contacts rows it was written from."""
    rows = contact_rows()
    path = tmp_path / "backup.zip"
    write_contacts_backup(path, rows)
    return path, rows


@pytest.fixture
def backup(written: tuple[Path, Rows]) -> Path:
    return written[0]


def test_values_round_trip_exactly(written: tuple[Path, Rows]) -> None:
    path, rows = written
    with open_backup(path) as reader:
        entry = reader.manifest.files[0]
        records = list(reader.records(entry))
    names = entry.header[1:]
    assert records == [
        (row[0], {name: value for name, value in zip(names, row[1:], strict=True) if value})
        for row in rows
    ]
    with zipfile.ZipFile(path) as archive:
        parsed = list(csv.reader(io.StringIO(archive.read("contacts.csv").decode(), newline="")))
    assert parsed[0] == ["id", "firstname", "phone", "stage"]
    assert parsed[1:] == [[value or "" for value in row] for row in rows]


def test_chosen_columns_are_read_in_the_order_asked(written: tuple[Path, Rows]) -> None:
    path, rows = written
    with open_backup(path) as reader:
        entry = reader.manifest.files[0]
        picked = list(reader.columns(entry, ["stage", "firstname"]))
        with pytest.raises(CorruptBackup, match="no column secret"):
            list(reader.columns(entry, ["firstname", "secret"]))
    assert [record_id for record_id, _, _ in picked] == [row[0] for row in rows]
    assert [(stage, first) for _, stage, first in picked] == [
        (row[3] or "", row[1] or "") for row in rows
    ]


def test_every_column_gives_the_rows_as_written(written: tuple[Path, Rows]) -> None:
    path, rows = written
    with open_backup(path, files=False) as reader:
        parsed = list(reader.every_column(reader.manifest.files[0]))
    assert parsed == [[value or "" for value in row] for row in rows]


def _longest_line(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return max(len(line) for line in archive.read("contacts.csv").split(b"\n"))


def test_a_line_is_measured_across_the_chunks_it_spans(
    written: tuple[Path, Rows], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, rows = written
    longest = _longest_line(path)
    # A byte a chunk: every line spans many, and is measured up to its last byte.
    monkeypatch.setattr(file_format, "TEXT_CHUNK_SIZE", 1)
    with open_backup(path, files=False) as reader:
        entry = reader.manifest.files[0]
        monkeypatch.setattr(file_format, "MAX_LINE_BYTES", longest)
        assert len(list(reader.every_column(entry))) == len(rows)
        monkeypatch.setattr(file_format, "MAX_LINE_BYTES", longest - 1)
        with pytest.raises(CorruptBackup, match=f"longer than {longest - 1:,} bytes"):
            list(reader.every_column(entry))


def _a_changed_byte(name: str, data: bytes) -> bytes:
    return data.replace(b"plain", b"plaiN") if name == "contacts.csv" else data


def _rows_of_the_manifest(name: str, data: bytes) -> bytes:
    if name != MANIFEST_NAME:
        return data
    manifest = json.loads(data)
    manifest["files"][0]["rows"] += 1
    return json.dumps(manifest).encode()


def _first_column_renamed(name: str, data: bytes) -> bytes:
    if name != MANIFEST_NAME:
        return data
    manifest = json.loads(data)
    manifest["files"][0]["properties"][0]["name"] = "renamed"
    return json.dumps(manifest).encode()


def _extra_field_on_the_last_row(name: str, data: bytes) -> bytes:
    return data.removesuffix(b"\n") + b",extra\n" if name == "contacts.csv" else data


@pytest.mark.parametrize(
    ("tamper", "message", "rows_before"),
    [
        (_a_changed_byte, "checksum", True),
        (_rows_of_the_manifest, "the manifest says", True),
        (_first_column_renamed, "header", False),
        (_extra_field_on_the_last_row, r"contacts.csv, line \d+: \d+ fields, not", True),
    ],
    ids=["changed-byte", "row-count", "header", "width"],
)
def test_chosen_columns_check_the_file_in_the_pass_that_reads_them(
    backup: Path,
    tmp_path: Path,
    tamper: Callable[[str, bytes], bytes],
    message: str,
    rows_before: bool,
) -> None:
    path = rewrite_zip(backup, tmp_path / "tampered.zip", tamper)
    picked = []
    with open_backup(path, files=False) as reader:
        entry = reader.manifest.files[0]
        with pytest.raises(CorruptBackup, match=message):
            for row in reader.columns(entry, ["stage"]):
                picked.append(row)
    # The rows come before the end of the file, where its checksum and count are known.
    assert bool(picked) == rows_before


@pytest.mark.parametrize("chunk_size", [1, 7, 1 << 20])
def test_unparsed_rows_are_the_rows_as_written(
    written: tuple[Path, Rows], monkeypatch: pytest.MonkeyPatch, chunk_size: int
) -> None:
    path, rows = written
    # Records and quoted line breaks split across every chunk boundary there can be.
    monkeypatch.setattr(file_format, "RAW_CHUNK_SIZE", chunk_size)
    with open_backup(path, files=False) as reader:
        entry = reader.manifest.files[0]
        unparsed = [row for batch in reader.unparsed_rows(entry) for row in batch]
        parsed = [reader.parse_row(entry, row) for row in unparsed]
    assert [record_id for record_id, _ in unparsed] == [row[0] for row in rows]
    assert parsed == [[value or "" for value in row] for row in rows]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_a_changed_byte, "checksum"),
        (_rows_of_the_manifest, "the manifest says"),
        (_first_column_renamed, "header"),
        (_extra_field_on_the_last_row, r"contacts.csv, record [0-9a-f-]+: 5 fields, not 4"),
    ],
    ids=["changed-byte", "row-count", "header", "width"],
)
def test_unparsed_rows_check_the_file_in_the_pass_that_reads_them(
    backup: Path, tmp_path: Path, tamper: Callable[[str, bytes], bytes], message: str
) -> None:
    path = rewrite_zip(backup, tmp_path / "tampered.zip", tamper)
    with open_backup(path, files=False) as reader:
        entry = reader.manifest.files[0]
        with pytest.raises(CorruptBackup, match=message):
            for batch in reader.unparsed_rows(entry):
                for row in batch:
                    reader.parse_row(entry, row)


def test_manifest_describes_every_file(backup: Path) -> None:
    manifest = verify(backup)
    assert manifest.format_version == 1
    assert manifest.snapshot_at == SNAPSHOT_AT
    assert manifest.object_counts == {"contacts": len(TRICKY_VALUES) + 1, "notes": 1}
    contacts = manifest.files[0]
    assert contacts.singular_label == "Contact" and contacts.plural_label == "Contacts"
    assert [(p.name, p.sensitive) for p in contacts.properties] == [
        ("firstname", False),
        ("phone", True),
        ("stage", False),
    ]
    assert contacts.properties[2].options == ("lead", "won")
    with zipfile.ZipFile(backup) as archive:
        assert contacts.sha256 == hashlib.sha256(archive.read("contacts.csv")).hexdigest()
        assert archive.getinfo("contacts.csv").compress_type == zipfile.ZIP_DEFLATED
    raw = manifest_of(backup)
    assert raw["snapshot_at"] == "2026-11-01T12:30:00Z"
    assert raw["files"][0]["rows"] == len(TRICKY_VALUES) + 1


def test_a_changed_byte_is_refused(backup: Path, tmp_path: Path) -> None:
    with pytest.raises(CorruptBackup, match="checksum"):
        verify(rewrite_zip(backup, tmp_path / "tampered.zip", _a_changed_byte))


@pytest.fixture
def damaged(backup: Path, tmp_path: Path) -> Path:
    """The backup with a byte of contacts.csv's compressed data changed."""
    data = bytearray(backup.read_bytes())
    with zipfile.ZipFile(backup) as archive:
        info = archive.getinfo("contacts.csv")
    # Inside the compressed bytes of contacts.csv, past its local header.
    data[info.header_offset + 100] ^= 0xFF
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(data))
    return path


def test_damaged_compressed_data_is_refused(damaged: Path) -> None:
    with pytest.raises(CorruptBackup):
        verify(damaged)


def test_damaged_compressed_data_is_refused_in_the_pass_that_reads_it(damaged: Path) -> None:
    with open_backup(damaged, files=False) as reader:
        entry = reader.manifest.files[0]
        # Said as damage, not as what its reader made of the bytes before the damage.
        with pytest.raises(CorruptBackup, match="The backup file is damaged"):
            list(reader.every_column(entry))
        with pytest.raises(CorruptBackup, match="The backup file is damaged"):
            list(reader.unparsed_rows(entry))


def _children() -> set[int]:
    """This process's child processes, from every thread of it (Linux)."""
    tasks = Path("/proc/self/task")
    return {int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()}


def test_a_file_left_before_its_end_stops_its_inflating(
    backup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inflating, "CHILD_MIN_BYTES", 0)
    before = _children()
    with open_backup(backup, files=False) as reader:
        rows = reader.every_column(reader.manifest.files[0])
        next(rows)
        assert _children() - before, "the entry is inflated by a child process"
        rows.close()
    assert _children() == before


def test_a_missing_file_is_refused(backup: Path, tmp_path: Path) -> None:
    path = rewrite_zip(
        backup, tmp_path / "missing.zip", lambda name, data: None if name == "notes.csv" else data
    )
    with pytest.raises(CorruptBackup, match=r"missing: notes\.csv"):
        verify(path)


def test_an_unlisted_file_is_refused(backup: Path, tmp_path: Path) -> None:
    path = tmp_path / "extra.zip"
    rewrite_zip(backup, path, lambda name, data: data)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("deals.csv", "id\n")
    with pytest.raises(CorruptBackup, match=r"Not listed in the manifest: deals\.csv"):
        verify(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: b"{not json", "malformed"),
        (lambda m: json.dumps({**m, "format_version": 2}).encode(), "malformed"),
        (
            lambda m: json.dumps({k: v for k, v in m.items() if k != "backup_id"}).encode(),
            "malformed",
        ),
        (
            lambda m: json.dumps(
                {**m, "files": [{**m["files"][0], "object_type": "../x"}]}
            ).encode(),
            "malformed",
        ),
        (
            lambda m: json.dumps(
                {**m, "files": [{**m["files"][0], "rows": 3}, m["files"][1]]}
            ).encode(),
            f"has {len(TRICKY_VALUES) + 1} rows; the manifest says 3",
        ),
        (
            lambda m: json.dumps(
                {
                    **m,
                    "files": [
                        {**m["files"][0], "properties": m["files"][0]["properties"][:2]},
                        m["files"][1],
                    ],
                }
            ).encode(),
            "header",
        ),
    ],
    ids=["not-json", "unknown-version", "no-backup-id", "bad-type-name", "row-count", "header"],
)
def test_a_bad_manifest_is_refused(
    backup: Path, tmp_path: Path, change: Callable[[Any], bytes], message: str
) -> None:
    manifest = manifest_of(backup)
    path = rewrite_zip(
        backup,
        tmp_path / "bad.zip",
        lambda name, data: change(manifest) if name == MANIFEST_NAME else data,
    )
    with pytest.raises(CorruptBackup, match=message):
        verify(path)


def test_no_manifest_or_not_a_zip_is_refused(backup: Path, tmp_path: Path) -> None:
    path = rewrite_zip(
        backup, tmp_path / "bare.zip", lambda name, data: None if name == MANIFEST_NAME else data
    )
    with pytest.raises(CorruptBackup, match=r"no manifest\.json"):
        verify(path)
    (tmp_path / "text.zip").write_text("id,name\n")
    with pytest.raises(CorruptBackup, match="damaged"):
        verify(tmp_path / "text.zip")


def test_an_interrupted_write_leaves_no_valid_backup(tmp_path: Path) -> None:
    path = tmp_path / "interrupted.zip"
    with pytest.raises(RuntimeError), BackupWriter(path.open("wb"), uuid4(), uuid4()) as writer:
        with writer.csv_file(CONTACTS) as entry:
            entry.write_rows(contact_rows())
        raise RuntimeError("the database went away")
    with pytest.raises(CorruptBackup, match=r"no manifest\.json"):
        verify(path)


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "large.zip"
    batch = [[str(uuid4()), f"name {i}", f"+1 555 {i:07d}", "lead"] for i in range(2000)]
    # The rows of one batch plus the compressor's window, not the file.
    with peak_memory(3_000_000), BackupWriter(path.open("wb"), uuid4(), uuid4()) as writer:
        with writer.csv_file(CONTACTS) as entry:
            for _ in range(100):
                entry.write_rows(batch)
        writer.write_manifest(SNAPSHOT_AT)
    (entry_info,) = [i for i in zipfile.ZipFile(path).infolist() if i.filename == "contacts.csv"]
    assert entry_info.file_size > 12_000_000
    assert verify(path).object_counts == {"contacts": 200_000}
