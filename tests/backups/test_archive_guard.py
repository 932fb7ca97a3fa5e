"""Hostile archives and CSVs, built here with zipfile, refused with a clear error in bounded
memory; real backups pass."""

import io
import zipfile
from pathlib import Path
from uuid import uuid4

import pytest

from services.backups.archive_guard import LIMITS, Limits, UnsafeFile, _Measured, csv_records
from services.backups.file_format import MANIFEST_NAME, CorruptBackup
from tests.support.archives import write_zip
from tests.support.backup_files import (
    csv_records_of,
    manifest_for,
    peak_memory,
    read_everything,
    text_of,
    write_deals_backup,
)

CSV = b"id,dealname,amount\n" + b"".join(f"{uuid4()},Deal,{i}\n".encode() for i in range(3))


def test_a_real_backup_passes(tmp_path: Path) -> None:
    assert read_everything(write_deals_backup(tmp_path / "backup.zip", 2_500)) == 2_500


@pytest.mark.parametrize(
    "name",
    [
        "../deals.csv",
        "/deals.csv",
        "..\\deals.csv",
        "C:deals.csv",
        "sub/deals.csv",
        "deals.csv\x07",
    ],
)
def test_entries_with_a_path_are_refused(tmp_path: Path, name: str) -> None:
    path = write_zip(tmp_path / "a.zip", [(MANIFEST_NAME, b"{}"), (name, CSV)])
    with pytest.raises(UnsafeFile, match="has a path"):
        read_everything(path)


@pytest.mark.parametrize("name", ["evil.sh", "tickets.csv", "deals.CSV", "manifest.json.bak"])
def test_unexpected_names_are_refused(tmp_path: Path, name: str) -> None:
    path = write_zip(tmp_path / "a.zip", [(MANIFEST_NAME, b"{}"), (name, CSV)])
    with pytest.raises(UnsafeFile, match="Unexpected entry"):
        read_everything(path)


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    manifest = manifest_for({"deals.csv": CSV})
    with pytest.warns(UserWarning, match="Duplicate name"):
        path = write_zip(
            tmp_path / "a.zip",
            [(MANIFEST_NAME, manifest), ("deals.csv", CSV), ("deals.csv", b"id\nother\n")],
        )
    with pytest.raises(UnsafeFile, match="two entries with one name"):
        read_everything(path)


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    entries = [(f"deals-{i}.csv", b"") for i in range(LIMITS.max_entries + 1)]
    path = write_zip(tmp_path / "a.zip", entries, compression=zipfile.ZIP_STORED)
    with pytest.raises(UnsafeFile, match="has 1001 entries; at most 1000"):
        read_everything(path)


def test_declared_total_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    def claim_40_gib(entries: list[zipfile.ZipInfo]) -> None:
        entries[1].file_size = 40 << 30

    path = write_zip(
        tmp_path / "a.zip", [(MANIFEST_NAME, b"{}"), ("deals.csv", CSV)], tamper=claim_40_gib
    )
    with pytest.raises(UnsafeFile, match="would expand"):
        read_everything(path)
    small = write_zip(tmp_path / "b.zip", [(MANIFEST_NAME, b"{}"), ("deals.csv", CSV * 100)])
    with pytest.raises(UnsafeFile, match="would expand to"):
        read_everything(small, Limits(max_total_bytes=10_000))


def test_a_compression_ratio_over_the_limit_is_refused(tmp_path: Path) -> None:
    bomb = b"id,dealname,amount\n" + b"0" * (8 << 20)
    path = write_zip(tmp_path / "a.zip", [(MANIFEST_NAME, b"{}"), ("deals.csv", bomb)])
    with pytest.raises(UnsafeFile, match="expand more than 200 times"):
        read_everything(path)


def test_a_bomb_whose_header_lies_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """The listing says 200 KB (a plausible ratio); the data inflates to 64 MiB."""
    bomb = b"id,dealname,amount\n" + b"0" * (64 << 20)

    def understate(entries: list[zipfile.ZipInfo]) -> None:
        entries[1].file_size = 200_000

    path = write_zip(
        tmp_path / "a.zip",
        [(MANIFEST_NAME, manifest_for({"deals.csv": bomb})), ("deals.csv", bomb)],
        tamper=understate,
    )
    # The ZIP reader stops at the declared size, where the data's checksum no longer matches.
    with (
        peak_memory(8 << 20),
        pytest.raises(CorruptBackup, match=r"damaged: Bad CRC-32 for file 'deals\.csv'"),
    ):
        read_everything(path)


def test_the_bytes_of_an_entry_are_counted_against_its_declared_size() -> None:
    """What stops a lying size if the ZIP reader ever yields more than the listing says."""
    stream = _Measured(io.BufferedReader(io.BytesIO(b"x" * 100)), "deals.csv", 99)
    assert stream.read(99) == b"x" * 99
    with pytest.raises(UnsafeFile, match="more than its declared size"):
        stream.read()


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    def overlap(entries: list[zipfile.ZipInfo]) -> None:
        entries[2].header_offset = entries[1].header_offset

    path = write_zip(
        tmp_path / "a.zip",
        [(MANIFEST_NAME, b"{}"), ("deals.csv", CSV), ("contacts.csv", CSV)],
        tamper=overlap,
    )
    with pytest.raises(UnsafeFile, match="overlaps"):
        read_everything(path)


def test_encrypted_or_unusual_compression_is_refused(tmp_path: Path) -> None:
    def encrypt(entries: list[zipfile.ZipInfo]) -> None:
        entries[1].flag_bits |= 0x1

    path = write_zip(tmp_path / "a.zip", [(MANIFEST_NAME, b"{}"), ("deals.csv", CSV)], encrypt)
    with pytest.raises(UnsafeFile, match="encrypted"):
        read_everything(path)
    bzip = write_zip(
        tmp_path / "b.zip", [(MANIFEST_NAME, b"{}"), ("deals.csv", CSV)], None, zipfile.ZIP_BZIP2
    )
    with pytest.raises(UnsafeFile, match="compression method"):
        read_everything(bzip)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_a_truncated_archive_is_refused(tmp_path: Path, keep: float) -> None:
    whole = write_deals_backup(tmp_path / "backup.zip", 500).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: int(len(whole) * keep)])
    with pytest.raises(UnsafeFile, match="truncated"):
        read_everything(cut)


def test_corrupt_compressed_data_is_refused(tmp_path: Path) -> None:
    path = write_deals_backup(tmp_path / "backup.zip", 2_000)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("deals.csv")
    middle = info.header_offset + 100 + info.compress_size // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptBackup, match="damaged"):
        read_everything(path)


def test_a_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    altered = CSV.replace(b"Deal", b"Leak", 1)
    path = write_zip(
        tmp_path / "a.zip",
        [(MANIFEST_NAME, manifest_for({"deals.csv": CSV})), ("deals.csv", altered)],
    )
    with pytest.raises(CorruptBackup, match="does not match its checksum"):
        read_everything(path)


def test_records_within_the_budget_parse_as_csv() -> None:
    # The longest record, `2,"a ""quote"""\r\n`, has 17 characters.
    data = b'id,notes\n1,"two\nlines"\n2,"a ""quote"""\r\n3,\n'
    assert csv_records_of(data, 17) == [
        ["id", "notes"],
        ["1", "two\nlines"],
        ["2", 'a "quote"'],
        ["3", ""],
    ]
    with pytest.raises(UnsafeFile, match="longer than 16 characters"):
        csv_records_of(data, 16)


def test_an_endless_line_is_refused_in_bounded_memory() -> None:
    text = text_of(b"id," + b"x" * (32 << 20))
    with peak_memory(4 << 20), pytest.raises(UnsafeFile, match="longer than 1,048,576"):
        list(csv_records(text, 1 << 20))


def test_a_record_of_many_short_quoted_lines_is_refused() -> None:
    """Each physical line is short; the record (a quoted value spanning them) is not."""
    data = b'id,notes\n1,"' + b"a\n" * 10_000 + b'"\n'
    with pytest.raises(UnsafeFile, match="longer than 1,000"):
        csv_records_of(data, 1_000)


def test_an_absurdly_long_field_is_refused_by_the_field_limit(tmp_path: Path) -> None:
    long_value = "y" * 200_000
    data = f"id,dealname,amount\n{uuid4()},{long_value},1\n".encode()
    path = write_zip(
        tmp_path / "a.zip",
        [(MANIFEST_NAME, manifest_for({"deals.csv": data})), ("deals.csv", data)],
    )
    with pytest.raises(CorruptBackup, match="field larger than field limit"):
        read_everything(path)


def test_a_large_backup_streams_in_flat_memory(tmp_path: Path) -> None:
    path = write_deals_backup(tmp_path / "backup.zip", 200_000)
    with peak_memory(6 << 20):
        assert read_everything(path) == 200_000
