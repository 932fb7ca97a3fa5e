import asyncio
import contextlib
import hashlib
import os
import select
import threading
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from models.crm import ObjectType, Property, PropertyType, Record
from services.backups import export as export_module
from services.backups.export import export_account
from services.backups.file_format import (
    MANIFEST_NAME,
    BackupWriter,
    CsvEntry,
    ObjectTypeDefinition,
    SpooledCsv,
    verify,
)
from services.core.errors import NotFound
from services.storage import EncryptedStorage, Keyring, LocalStorage, PlainScratch, new_entry
from services.storage.sealed import MAGIC
from tests.support.backup_files import TRICKY_VALUES
from tests.support.backups import csv_rows, entries, files_in_the_database
from tests.support.databases import asyncpg_url
from tests.support.records import seed_records
from tests.support.tenants import MakeTenant, Tenant

SHOW_WORKERS = "SHOW max_parallel_workers_per_gather"


@pytest.mark.parametrize("streams", [1, 3])
async def test_the_backup_holds_every_live_value_exactly(
    make_tenant: MakeTenant, database_url: str, tmp_path: Path, streams: int
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    account_id = tenant.account.id
    contacts = await seed_records(
        tenant,
        "contacts",
        [
            {
                "firstname": value,
                "lastname": f"Row {i}",
                "phone": f"+1 555 {i:04d}",
                "date_of_birth": "1990-02-03",
                "lifecyclestage": "lead",
            }
            for i, value in enumerate(TRICKY_VALUES * 4)
        ]
        + [{}, {"email": "only@example.com"}],
    )
    await seed_records(tenant, "companies", [{"name": f"Company {i}"} for i in range(7)])
    deleted = contacts[:5]
    await Record.filter(id__in=[r.id for r in deleted]).update(deleted_at=datetime.now(UTC))
    custom = await ObjectType.create(
        account_id=account_id,
        name="projects",
        singular_label="Project",
        plural_label="Projects",
        is_custom=True,
    )
    for name in ("zeta", "alpha", "mid"):
        await Property.create(
            object_type=custom, name=name, label=name.title(), type=PropertyType.STRING
        )
    await seed_records(tenant, "projects", [{"zeta": "z", "alpha": "a"}, {"mid": "m"}])
    await seed_records(other, "contacts", [{"firstname": "Not mine"}])
    reports: list[tuple[str, int, int]] = []

    async def progress(name: str, done: int, total: int) -> None:
        reports.append((name, done, total))

    backup_id = uuid4()
    path = tmp_path / "backup.zip"
    result = await export_account(
        account_id, backup_id, PlainScratch(path), database_url, streams=streams, progress=progress
    )

    expected = await files_in_the_database(account_id)
    assert csv_rows(path) == expected
    assert set(expected) == {"contacts.csv", "companies.csv", "projects.csv"}
    assert expected["projects.csv"][0] == ["id", "zeta", "alpha", "mid"]
    contact_ids = {row[0] for row in expected["contacts.csv"][1:]}
    assert not contact_ids & {str(r.id) for r in deleted}
    assert "+1 555 0010" in {row[4] for row in expected["contacts.csv"][1:]}
    counts = {"companies": 7, "contacts": len(TRICKY_VALUES) * 4 + 2 - 5, "projects": 2}
    assert result.object_counts == counts
    assert {(name, done, total) for name, done, total in reports if done == total} == {
        (name, rows, rows) for name, rows in counts.items()
    }
    data = path.read_bytes()
    assert result.size_bytes == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()

    manifest = verify(path)
    assert (manifest.account_id, manifest.backup_id) == (account_id, backup_id)
    assert manifest.snapshot_at == result.snapshot_at
    assert abs(datetime.now(UTC) - result.snapshot_at) < timedelta(minutes=1)
    assert [entry.object_type for entry in manifest.files] == ["companies", "contacts", "projects"]
    contacts_entry = manifest.files[1]
    assert contacts_entry.singular_label == "Contact"
    definitions = await Property.filter(
        object_type__account_id=account_id, object_type__name="contacts"
    ).order_by("id")
    assert [
        (p.name, p.label, p.type, p.options, p.sensitive) for p in contacts_entry.properties
    ] == [(p.name, p.label, p.type, tuple(p.options), p.sensitive) for p in definitions]
    assert {p.name for p in contacts_entry.properties if p.sensitive} == {"phone", "date_of_birth"}


async def test_an_account_without_records_has_only_a_manifest(
    tenant: Tenant, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "empty.zip"
    result = await export_account(tenant.account.id, uuid4(), PlainScratch(path), database_url)
    assert result.object_counts == {}
    assert zipfile.ZipFile(path).namelist() == [MANIFEST_NAME]
    assert verify(path).files == ()


@pytest.mark.parametrize("streams", [1, 2])
async def test_the_file_is_sealed_as_it_is_written_and_holds_the_same_backup(
    tenant: Tenant, database_url: str, tmp_path: Path, streams: int
) -> None:
    await seed_records(tenant, "contacts", [{"firstname": f"Ada {n}"} for n in range(50)])
    await seed_records(tenant, "companies", [{"name": "Acme"}])
    plain, sealed = tmp_path / "plain.zip", tmp_path / "sealed.zip"
    backup_id = uuid4()
    files = EncryptedStorage(LocalStorage(tmp_path / "storage"), Keyring.parse(new_entry("k")))
    scratch = files.scratch(sealed)
    result = await export_account(
        tenant.account.id, backup_id, scratch, database_url, streams=streams
    )
    await export_account(
        tenant.account.id, backup_id, PlainScratch(plain), database_url, streams=streams
    )

    written = sealed.read_bytes()
    assert written.startswith(MAGIC) and b"Ada 1" not in written
    # Its plaintext is the backup's ZIP, whose size and hash the result gives.
    with scratch.reopen() as file:
        opened = file.read()
    assert len(opened) == result.size_bytes
    assert hashlib.sha256(opened).hexdigest() == result.sha256
    opened_path = tmp_path / "opened.zip"
    opened_path.write_bytes(opened)
    assert csv_rows(opened_path) == csv_rows(plain)


async def test_an_unknown_account_leaves_no_file(
    server: object, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "none.zip"
    with pytest.raises(NotFound):
        await export_account(uuid4(), uuid4(), PlainScratch(path), database_url)
    assert not path.exists()


@pytest.mark.parametrize("streams", [1, 2])
async def test_a_failed_write_fails_the_export_and_leaves_no_file(
    tenant: Tenant, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streams: int
) -> None:
    await seed_records(tenant, "contacts", [{"firstname": f"n{n}" * 50} for n in range(3000)])
    await seed_records(tenant, "deals", [{"dealname": f"d{n}" * 50} for n in range(3000)])
    writes = 0
    write = CsvEntry.write

    def full_disk_after_the_header(entry: CsvEntry, data: bytes) -> None:
        nonlocal writes
        writes += 1
        if writes > 1:
            raise OSError(28, "No space left on device")
        write(entry, data)

    monkeypatch.setattr(CsvEntry, "write", full_disk_after_the_header)
    path = tmp_path / "full.zip"
    export = export_account(
        tenant.account.id, uuid4(), PlainScratch(path), database_url, streams=streams
    )
    with pytest.raises(OSError, match="No space left"):
        await asyncio.wait_for(export, 30)
    # Neither the file nor a stream's deflated type is left behind.
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == []


async def test_the_backup_is_one_snapshot_that_blocks_no_writer(
    tenant: Tenant, database_url: str, tmp_path: Path
) -> None:
    account_id = tenant.account.id
    # Large enough to arrive in many batches, and in many chunks from COPY.
    contacts = await seed_records(
        tenant,
        "contacts",
        [
            {"firstname": f"First {i}", "lastname": "x" * 150, "email": f"c{i}@example.com"}
            for i in range(4000)
        ],
    )
    tickets = await seed_records(tenant, "tickets", [{"subject": f"Ticket {i}"} for i in range(3)])
    before = await files_in_the_database(account_id)
    paused, resume = asyncio.Event(), asyncio.Event()

    async def progress(name: str, done: int, total: int) -> None:
        if name == "contacts" and 0 < done < total and not paused.is_set():
            paused.set()
            await resume.wait()

    path = tmp_path / "snapshot.zip"
    export = asyncio.create_task(
        export_account(
            account_id, uuid4(), PlainScratch(path), database_url, batch_size=500, progress=progress
        )
    )
    await asyncio.wait_for(paused.wait(), timeout=30)

    async def change() -> None:
        for record in (contacts[0], contacts[-1], tickets[1]):
            await Record.filter(id=record.id).update(properties={"firstname": "Changed"})
        await Record.filter(id=tickets[2].id).update(deleted_at=datetime.now(UTC))
        await seed_records(tenant, "contacts", [{"firstname": "New"}])
        await seed_records(tenant, "deals", [{"dealname": "First deal"}])

    # The writes complete while the export is paused in the middle of its transaction.
    await asyncio.wait_for(change(), timeout=10)
    assert not export.done()
    resume.set()
    result = await export

    assert csv_rows(path) == before
    assert result.object_counts == {"contacts": 4000, "tickets": 3}
    after = await files_in_the_database(account_id)
    assert set(after) == {"contacts.csv", "tickets.csv", "deals.csv"}
    assert len(after["contacts.csv"]) == 4002 and len(after["tickets.csv"]) == 3


async def test_parallel_streams_read_one_snapshot_while_writers_change_every_type(
    tenant: Tenant, database_url: str, db_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_kind != "postgres":
        pytest.skip("SQLite exports with one stream: the test above covers its snapshot")
    account_id = tenant.account.id
    contacts = await seed_records(
        tenant,
        "contacts",
        [{"firstname": f"First {i}", "lastname": "x" * 150} for i in range(4000)],
    )
    tickets = await seed_records(tenant, "tickets", [{"subject": f"Ticket {i}"} for i in range(30)])
    companies = await seed_records(tenant, "companies", [{"name": f"Co {i}"} for i in range(3)])
    before = await files_in_the_database(account_id)
    # The second stream's connection opens once the writes below committed: the snapshot it
    # reads is then older than its transaction, and only the exported one can give it that.
    opening, written = asyncio.Event(), asyncio.Event()
    read_only = export_module._read_only
    opened = 0

    @contextlib.asynccontextmanager
    async def after_the_writes(*args: Any) -> AsyncIterator[Any]:
        nonlocal opened
        opened += 1
        if opened > 1:
            opening.set()
            await written.wait()
        async with read_only(*args) as connection:
            yield connection

    monkeypatch.setattr(export_module, "_read_only", after_the_writes)
    path = tmp_path / "parallel.zip"
    export = asyncio.create_task(
        export_account(account_id, uuid4(), PlainScratch(path), database_url, streams=2)
    )
    await asyncio.wait_for(opening.wait(), timeout=30)
    for record in (contacts[0], contacts[-1], tickets[0], companies[1]):
        await Record.filter(id=record.id).update(properties={"firstname": "Changed"})
    await Record.filter(id=companies[2].id).update(deleted_at=datetime.now(UTC))
    await seed_records(tenant, "companies", [{"name": "New"}])
    await seed_records(tenant, "deals", [{"dealname": "First deal"}])
    written.set()
    result = await asyncio.wait_for(export, 30)

    assert opened == 2
    assert csv_rows(path) == before
    assert result.object_counts == {"contacts": 4000, "tickets": 30, "companies": 3}
    assert verify(path).object_counts == result.object_counts


async def test_parallel_streams_write_the_single_streams_file(
    make_tenant: MakeTenant, database_url: str, tmp_path: Path
) -> None:
    tenant = await make_tenant()
    await seed_records(tenant, "contacts", [{"firstname": v} for v in TRICKY_VALUES * 50])
    await seed_records(tenant, "deals", [{"dealname": f"Deal {i}"} for i in range(500)])
    await seed_records(tenant, "tickets", [{"subject": f"Ticket {i}"} for i in range(5)])
    backup_id = uuid4()
    single, parallel = tmp_path / "single.zip", tmp_path / "parallel.zip"
    await export_account(
        tenant.account.id, backup_id, PlainScratch(single), database_url, streams=1
    )
    await export_account(
        tenant.account.id, backup_id, PlainScratch(parallel), database_url, streams=3
    )

    # The same files, placed in the ZIP in the order the streams finished them.
    assert dict(entries(parallel)) == dict(entries(single))
    moment = {"snapshot_at": verify(single).snapshot_at}
    assert verify(parallel).model_copy(update=moment) == verify(single)


@pytest.mark.parametrize("streams", [1, 2])
async def test_parallel_streams_leave_the_cores_to_each_other(
    tenant: Tenant,
    database_url: str,
    db_kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    streams: int,
) -> None:
    if db_kind != "postgres":
        pytest.skip("PostgreSQL's parallel workers: SQLite has none, and one stream")
    await seed_records(tenant, "contacts", [{"firstname": "Ada"}])
    await seed_records(tenant, "deals", [{"dealname": "First deal"}])
    copy_rows = export_module._PostgresSnapshot.copy_rows
    workers_per_query: list[str] = []

    async def noting_the_workers(self: Any, *args: Any) -> None:
        workers_per_query.append(await self._connection.fetchval(SHOW_WORKERS))
        await copy_rows(self, *args)

    monkeypatch.setattr(export_module._PostgresSnapshot, "copy_rows", noting_the_workers)
    await export_account(
        tenant.account.id, uuid4(), PlainScratch(tmp_path / "b.zip"), database_url, streams=streams
    )

    connection = await asyncpg.connect(asyncpg_url(database_url))
    try:
        configured = await connection.fetchval(SHOW_WORKERS)
    finally:
        await connection.close()
    expected = "0" if streams > 1 else configured
    assert workers_per_query == [expected, expected]


async def test_a_stream_hands_off_every_byte_in_order_whatever_the_chunks(
    tmp_path: Path,
) -> None:
    # Chunks smaller than a hand-off, one ending exactly at its end, one larger than two.
    size = export_module.HAND_OFF_BYTES
    sizes = [1, 4_000, size - 4_001, 70_000, 2 * size + 3, 5]
    chunks = [bytes([n % 251]) * length for n, length in enumerate(sizes)]
    with (tmp_path / "entry.csv").open("wb") as file:
        entry = CsvEntry(file, "contacts.csv", ["id"])
        header = b"id\n"

        async def written(rows: int) -> None:
            pass

        writer = export_module._ThreadedCopyWriter(entry, written)
        for chunk in chunks:
            await writer.add(chunk)
        await writer.finish()

    data = b"".join(chunks)
    assert (tmp_path / "entry.csv").read_bytes() == header + data
    assert entry.sha256 == hashlib.sha256(header + data).hexdigest()


async def test_a_cancelled_export_waits_for_the_type_being_placed(tmp_path: Path) -> None:
    # The backup's file is a pipe nobody reads yet: placing the type, larger than the pipe
    # holds, blocks in its thread until the pipe is drained.
    definition = ObjectTypeDefinition(
        object_type="contacts", singular_label="Contact", plural_label="Contacts", properties=()
    )
    with SpooledCsv(tmp_path / "contacts.part", definition) as spooled:
        # Random bytes do not deflate: the entry stays larger than the pipe.
        spooled.entry.write(os.urandom(1 << 20))
    read_end, write_end = os.pipe()
    drained = bytearray()
    with BackupWriter(os.fdopen(write_end, "wb"), uuid4(), uuid4()) as writer:
        placing = asyncio.create_task(export_module._AsReady(writer).ready(spooled))
        # Readable once the thread has begun writing the entry.
        await asyncio.to_thread(select.select, [read_end], [], [], 10)
        placing.cancel()
        await asyncio.sleep(0.2)
        waited = not placing.done()
        # A thread of its own: it drains the pipe even if the loop were blocked.
        reader = threading.Thread(target=_drain, args=(read_end, drained))
        reader.start()
        with pytest.raises(asyncio.CancelledError):
            await placing
        # Cancelled, it still waited: the thread was writing into the backup's file.
        assert waited
        # The type was placed whole before the cancellation went on.
        assert not (tmp_path / "contacts.part").exists()
    reader.join()
    os.close(read_end)
    assert len(drained) > 1 << 20


def _drain(read_end: int, into: bytearray) -> None:
    while data := os.read(read_end, 1 << 16):
        into += data
