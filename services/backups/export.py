"""Exporting an account into a backup file, from one consistent snapshot of the database.

Every file of a backup agrees with every other as of `snapshot_at`: all reads happen in one
read-only transaction on a connection of the export's own, so the export neither blocks the
account's writers nor sees their changes. Rows stream out in chunks; memory does not grow
with the account.

On PostgreSQL several streams may export object types at once, as `pg_dump -j` does: the
first transaction exports its snapshot (`pg_export_snapshot()`) and each other stream's
transaction adopts it (`SET TRANSACTION SNAPSHOT`), so every stream reads the same database
state. Each stream deflates its type into a file of its own, in threads (ISA-L's deflate and
hashing release the GIL), and the types are placed in the backup's ZIP as they are done: the
same entries, manifest and checksums as one stream writes, the entries in another order.
Memory: per stream, two hand-off buffers of HAND_OFF_BYTES and the deflate's state, about 1 MB;
the work dir holds at most the types deflated and not yet placed, less than the backup's size.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID
from zipfile import ZipFile

import aiosqlite
import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

from services.backups.file_format import (
    MANIFEST_NAME,
    BackupWriter,
    CorruptBackup,
    CsvEntry,
    Manifest,
    ObjectTypeDefinition,
    PropertyDefinition,
    SpooledCsv,
)
from services.core.database import is_postgres
from services.core.errors import NotFound
from services.storage import FixedBuffer, ScratchFile

DEFAULT_BATCH_SIZE = 2000

# (object type name, rows written so far, rows in the snapshot), awaited after every chunk.
Progress = Callable[[str, int, int], Awaitable[None]]
# Rows of one type written so far, awaited after every chunk.
Written = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class ExportResult:
    snapshot_at: datetime
    # Object type name -> rows, for the types that have a file (at least one live record).
    object_counts: dict[str, int]
    size_bytes: int
    # Of the whole ZIP file.
    sha256: str


@dataclass(frozen=True)
class _ObjectType:
    id: UUID
    definition: ObjectTypeDefinition
    # Live records in the snapshot.
    rows: int

    @property
    def property_names(self) -> list[str]:
        return [prop.name for prop in self.definition.properties]


class _Snapshot(Protocol):
    snapshot_at: datetime

    async def object_types(self) -> list[_ObjectType]: ...

    async def copy_rows(self, object_type: _ObjectType, entry: CsvEntry, written: Written) -> None:
        """Writes the type's live rows to `entry` and counts them there."""

    async def copy_associations(self, entry: CsvEntry) -> None:
        """Writes the associations between live records to `entry` and counts them there."""

    def streams(self, count: int) -> AbstractAsyncContextManager[list["_Snapshot"]]:
        """Up to `count` readers of this very snapshot, each on a connection of its own, that
        write entries in threads; just this one where the database offers no more."""


async def export_account(
    account_id: UUID,
    backup_id: UUID,
    dest: ScratchFile,
    database_url: str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    streams: int = 1,
    progress: Progress | None = None,
    include_associations: bool = False,
) -> ExportResult:
    """Writes the account's live records to `dest` (and, when asked, the associations
    between them, from the same snapshot) and checks the file before returning.
    `batch_size` is the rows fetched at a time on SQLite (PostgreSQL streams through COPY);
    `streams` the object types exported at once (PostgreSQL; SQLite has one).
    On failure nothing is left at `dest.path`."""
    try:
        async with _open_snapshot(database_url, account_id, batch_size) as snapshot:
            object_types = [found for found in await snapshot.object_types() if found.rows]
            with BackupWriter(dest.create(), account_id, backup_id) as writer:
                count = min(streams, len(object_types))
                if count > 1:
                    async with snapshot.streams(count) as readers:
                        await _export_types(readers, writer, object_types, dest.path, progress)
                else:
                    for object_type in object_types:
                        await _export_type(snapshot, writer, object_type, progress)
                if include_associations:
                    with writer.associations_file() as entry:
                        await snapshot.copy_associations(entry)
                in_order = [found.definition.file_name for found in object_types]
                manifest = writer.write_manifest(snapshot.snapshot_at, in_order)
        await asyncio.to_thread(_check_complete, dest, manifest)
    except BaseException:
        await asyncio.to_thread(dest.path.unlink, missing_ok=True)
        raise
    return ExportResult(
        snapshot_at=manifest.snapshot_at,
        object_counts=manifest.object_counts,
        size_bytes=writer.size_bytes,
        sha256=writer.sha256,
    )


async def _export_type(
    snapshot: _Snapshot, writer: BackupWriter, object_type: _ObjectType, progress: Progress | None
) -> None:
    with writer.csv_file(object_type.definition) as entry:
        await snapshot.copy_rows(object_type, entry, _written(object_type, progress))
    _check_rows(object_type, entry)


def _written(object_type: _ObjectType, progress: Progress | None) -> Written:
    name = object_type.definition.object_type

    async def written(rows: int) -> None:
        if progress is not None:
            await progress(name, min(rows, object_type.rows), object_type.rows)

    return written


def _check_rows(object_type: _ObjectType, entry: CsvEntry) -> None:
    if entry.rows != object_type.rows:
        name = object_type.definition.object_type
        raise RuntimeError(f"{name}: wrote {entry.rows} rows of the {object_type.rows} counted")


async def _export_types(
    readers: list[_Snapshot],
    writer: BackupWriter,
    object_types: list[_ObjectType],
    dest_path: Path,
    progress: Progress | None,
) -> None:
    """Each reader takes the largest type left (the streams then end about together), deflates
    it aside, and the types are placed in the file as they become ready."""
    spool = [dest_path.with_name(f"{dest_path.name}.{n}.part") for n in range(len(object_types))]
    placing = _AsReady(writer)
    largest_first = iter(sorted(enumerate(object_types), key=lambda pair: -pair[1].rows))

    async def stream(reader: _Snapshot) -> None:
        # One iterator shared by the streams: each `next` hands a type to one of them.
        for index, object_type in largest_first:
            with SpooledCsv(spool[index], object_type.definition) as spooled:
                await reader.copy_rows(object_type, spooled.entry, _written(object_type, progress))
            _check_rows(object_type, spooled.entry)
            await placing.ready(spooled)

    try:
        async with asyncio.TaskGroup() as group:
            for reader in readers:
                group.create_task(stream(reader))
    except BaseExceptionGroup as failed:
        # The first stream's failure stopped the others: it is the export's, as with one.
        raise failed.exceptions[0] from None
    finally:
        await asyncio.to_thread(_delete, spool)


class _AsReady:
    """Places spooled types in the backup as they become ready, one at a time. A ZIP's entries
    need no order (readers find them by name; the manifest keeps the single stream's), so a
    type is placed while the streams go on with the others, and only the last to finish is
    placed after them."""

    def __init__(self, writer: BackupWriter) -> None:
        self._writer = writer
        self._placing = asyncio.Lock()

    async def ready(self, spooled: SpooledCsv) -> None:
        async with self._placing:
            # Copying and hashing the deflated bytes: off the event loop, where the other
            # streams' COPY output arrives.
            placed = asyncio.ensure_future(asyncio.to_thread(self._place, spooled))
            try:
                await asyncio.shield(placed)
            except asyncio.CancelledError:
                # A thread cannot be stopped: the backup's file is not closed under it.
                await asyncio.wait({placed})
                raise

    def _place(self, spooled: SpooledCsv) -> None:
        self._writer.add(spooled)
        spooled.path.unlink()


def _delete(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _check_complete(dest: ScratchFile, written: Manifest) -> None:
    """The file on disk is the whole backup: its directory lists the manifest and exactly the
    files the manifest names, each behind an intact header, and the manifest reads back as
    written.

    The contents are not read back: their SHA-256 (in the manifest) and CRC-32 (in the ZIP)
    were taken from the very bytes handed to the compressor, every reader checks the CRC, and a
    restore verifies the whole file (`file_format.verify`) before it reads any of it.
    Inflating everything again here cost a third of the export, to re-check zlib."""
    with dest.reopen() as file, ZipFile(file) as archive:
        names = archive.namelist()
        expected = [MANIFEST_NAME, *(entry.file_name for entry in written.entries)]
        if sorted(names) != sorted(expected):
            raise CorruptBackup(f"The new backup holds {names}, not {expected}.")
        for name in names:
            # Opening an entry reads and checks its local header, no data.
            with archive.open(name):
                pass
        if Manifest.model_validate_json(archive.read(MANIFEST_NAME)) != written:
            raise CorruptBackup(f"The new backup's {MANIFEST_NAME} differs from the one written.")


@asynccontextmanager
async def _open_snapshot(
    database_url: str, account_id: UUID, batch_size: int
) -> AsyncIterator[_Snapshot]:
    credentials = expand_db_url(database_url)["credentials"]
    snapshot: _Snapshot
    if is_postgres(database_url):
        async with _postgres_snapshot(credentials, account_id) as snapshot:
            yield snapshot
    else:
        async with _sqlite_snapshot(credentials["file_path"], account_id, batch_size) as snapshot:
            yield snapshot


def _object_types(
    type_rows: Iterable[Sequence[Any]], property_rows: Iterable[Sequence[Any]]
) -> list[_ObjectType]:
    """Rows of (id, name, singular label, plural label, live records) and, in definition
    order, (object type id, name, label, type, options JSON, sensitive)."""
    properties: dict[UUID, list[PropertyDefinition]] = {}
    for type_id, name, label, kind, options, sensitive in property_rows:
        properties.setdefault(UUID(str(type_id)), []).append(
            PropertyDefinition(
                name=name,
                label=label,
                type=kind,
                options=tuple(json.loads(options)),
                sensitive=bool(sensitive),
            )
        )
    return [
        _ObjectType(
            id=UUID(str(type_id)),
            definition=ObjectTypeDefinition(
                object_type=name,
                singular_label=singular,
                plural_label=plural,
                properties=tuple(properties.get(UUID(str(type_id)), ())),
            ),
            rows=rows,
        )
        for type_id, name, singular, plural, rows in type_rows
    ]


# --- PostgreSQL ---------------------------------------------------------------------------

# For the streams' transactions. The streams fill the cores: PostgreSQL's parallel workers,
# which it gives a large type's scan, only add the hand-over of every row from process to
# process (at a million records, 0.9 of the database's 7.7 CPU s, and 0.3 to 0.6 s of the
# backup's 6 s). One stream keeps them: its query has the other core to itself.
SERIAL_QUERIES = "SET LOCAL max_parallel_workers_per_gather = 0"
PG_SNAPSHOT = "SELECT statement_timestamp() FROM accounts WHERE id = $1"
# One pass over the account's records counts every type (a count per type read them all
# once per type: a quarter of the export's time). MATERIALIZED keeps it one pass: as a
# subquery, the planner ran it again for each type.
PG_OBJECT_TYPES = """
    WITH live AS MATERIALIZED (
        SELECT object_type_id, count(*) AS rows FROM records
        WHERE account_id = $1 AND deleted_at IS NULL GROUP BY object_type_id
    )
    SELECT o.id, o.name, o.singular_label, o.plural_label, coalesce(live.rows, 0)
    FROM object_types o LEFT JOIN live ON live.object_type_id = o.id
    WHERE o.account_id = $1 ORDER BY o.is_custom, o.name
"""
PG_PROPERTIES = """
    SELECT p.object_type_id, p.name, p.label, p.type, p.options, p.sensitive
    FROM properties p JOIN object_types o ON o.id = p.object_type_id
    WHERE o.account_id = $1 ORDER BY p.id
"""


@asynccontextmanager
async def _postgres_snapshot(
    credentials: dict[str, Any], account_id: UUID
) -> AsyncIterator["_PostgresSnapshot"]:
    async with _read_only(credentials) as connection:
        # The first query takes the snapshot; its statement time is the snapshot's time.
        snapshot_at = await connection.fetchval(PG_SNAPSHOT, account_id)
        if snapshot_at is None:
            raise NotFound(f"No account {account_id}.")
        yield _PostgresSnapshot(connection, credentials, account_id, snapshot_at)


@asynccontextmanager
async def _read_only(
    credentials: dict[str, Any], snapshot_id: str | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A REPEATABLE READ, READ ONLY transaction on a new connection; on the exported snapshot
    `snapshot_id`, if given, instead of a snapshot of its own."""
    # A connection of its own rather than one from Tortoise's pool: the export holds it for
    # minutes, which would starve that small pool, and COPY needs the raw driver anyway.
    connection = await asyncpg.connect(
        host=credentials["host"],
        port=credentials["port"],
        user=credentials["user"],
        password=credentials["password"],
        database=credentials["database"],
        ssl=credentials.get("ssl"),
        server_settings={"application_name": "crm-backup export"},
    )
    try:
        # BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY: every statement sees one snapshot.
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            if snapshot_id is not None:
                # Before any query of the transaction, or PostgreSQL refuses it. The id is the
                # server's own; it goes in as a literal since SET takes no parameters.
                await connection.execute(f"SET TRANSACTION SNAPSHOT {_literal(snapshot_id)}")
            yield connection
    finally:
        await connection.close()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _PostgresSnapshot:
    def __init__(
        self,
        connection: asyncpg.Connection,
        credentials: dict[str, Any],
        account_id: UUID,
        at: datetime,
        *,
        in_threads: bool = False,
    ) -> None:
        self._connection = connection
        self._credentials = credentials
        self._account_id = account_id
        self._in_threads = in_threads
        self.snapshot_at = at

    @asynccontextmanager
    async def streams(self, count: int) -> AsyncIterator[list[_Snapshot]]:
        snapshot_id = await self._connection.fetchval("SELECT pg_export_snapshot()")
        connections = [self._connection]
        async with AsyncExitStack() as stack:
            for _ in range(count - 1):
                connections.append(
                    await stack.enter_async_context(_read_only(self._credentials, snapshot_id))
                )
            for connection in connections:
                await connection.execute(SERIAL_QUERIES)
            # This transaction stays open the while: an exported snapshot lives as long as
            # the transaction that exported it, and every stream reads through it.
            yield [self._reader(connection) for connection in connections]

    def _reader(self, connection: asyncpg.Connection) -> "_PostgresSnapshot":
        return _PostgresSnapshot(
            connection, self._credentials, self._account_id, self.snapshot_at, in_threads=True
        )

    async def object_types(self) -> list[_ObjectType]:
        return _object_types(
            await self._connection.fetch(PG_OBJECT_TYPES, self._account_id),
            await self._connection.fetch(PG_PROPERTIES, self._account_id),
        )

    async def copy_rows(self, object_type: _ObjectType, entry: CsvEntry, written: Written) -> None:
        names = object_type.property_names
        # The property names go in as arguments: asyncpg inlines them as literals quoted by the
        # server (quote_literal), since COPY takes no bind parameters. An absent key is NULL,
        # which CSV writes as an empty field: blank, as stored.
        columns = "".join(f", properties->>${number}::text" for number in range(2, len(names) + 2))
        query = (
            f"SELECT id{columns} FROM records"
            " WHERE object_type_id = $1 AND deleted_at IS NULL ORDER BY id"
        )

        sink = (
            _ThreadedCopyWriter(entry, written) if self._in_threads else _CopyWriter(entry, written)
        )
        try:
            status = await self._connection.copy_from_query(
                query, object_type.id, *names, output=sink.add, format="csv"
            )
        finally:
            # No thread may still be writing once the entry is closed, even on failure.
            await sink.finish()
        # "COPY <rows>"
        entry.copied(int(status.split()[-1]))
        await written(entry.rows)

    async def copy_associations(self, entry: CsvEntry) -> None:
        status = await self._connection.copy_from_query(
            PG_ASSOCIATIONS, self._account_id, output=_as_async(entry.write), format="csv"
        )
        entry.copied(int(status.split()[-1]))


# Associations whose two records are live, as the backup holds them; oldest first.
PG_ASSOCIATIONS = """
    SELECT a.from_record_id, a.to_record_id, a.label FROM associations a
    JOIN records f ON f.id = a.from_record_id AND f.deleted_at IS NULL
    JOIN records t ON t.id = a.to_record_id AND t.deleted_at IS NULL
    WHERE a.account_id = $1 ORDER BY a.id
"""


# Progress is told every this many bytes of CSV (COPY hands over about 16 KB at a time).
PROGRESS_BYTES = 1 << 18


class _CopyWriter:
    """Writes COPY output into a CSV entry as it arrives, on the event loop: each chunk is small
    and deflates in well under a millisecond, while the server goes on filling the socket.
    (Deflating in a thread, fed through a queue, measured slower on two cores: the server
    takes one, and the thread and the event loop then share the other.)

    Progress counts lines, a little ahead of rows where a value holds a line break: telling
    them apart costs as much as hashing. COPY's own count is the one the entry keeps."""

    def __init__(self, entry: CsvEntry, written: Written) -> None:
        self._entry = entry
        self._written = written
        self._lines = 0
        self._unreported = 0

    async def add(self, chunk: bytes) -> None:
        await self._write(chunk)
        self._lines += chunk.count(b"\n")
        self._unreported += len(chunk)
        if self._unreported >= PROGRESS_BYTES:
            self._unreported = 0
            await self._written(self._lines)

    async def _write(self, chunk: bytes) -> None:
        self._entry.write(chunk)

    async def finish(self) -> None:
        """Called once COPY is done: everything is written when it returns."""


# A stream hands its COPY output to a thread this many bytes at a time: large enough that the
# hop to a thread costs little beside deflating it (a few ms), small enough that the buffers
# of every stream stay small.
HAND_OFF_BYTES = 1 << 18


class _ThreadedCopyWriter(_CopyWriter):
    """Writes COPY output into a CSV entry in a thread, in hand-offs of HAND_OFF_BYTES: one
    buffer is deflated and hashed while the other fills. Several streams deflate on as many
    cores. The two buffers serve the type's whole export (`storage.FixedBuffer`)."""

    def __init__(self, entry: CsvEntry, written: Written) -> None:
        super().__init__(entry, written)
        self._filling, self._spare = FixedBuffer(HAND_OFF_BYTES), FixedBuffer(HAND_OFF_BYTES)
        self._writing: asyncio.Future[None] | None = None

    async def _write(self, chunk: bytes) -> None:
        rest = memoryview(chunk)
        while rest:
            rest = rest[self._filling.fill(rest) :]
            if self._filling.full:
                await self._hand_off()

    async def _hand_off(self) -> None:
        # In order: the one before is written first, and its buffer is then free to fill.
        await self._written_before()
        data = self._filling.take()
        self._filling, self._spare = self._spare, self._filling
        self._writing = asyncio.ensure_future(asyncio.to_thread(self._entry.write, data))

    async def _written_before(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await writing

    async def finish(self) -> None:
        if self._filling.filled:
            await self._hand_off()
        await self._written_before()


def _as_async(write: Callable[[bytes], None]) -> Callable[[bytes], Awaitable[None]]:
    async def written(chunk: bytes) -> None:
        write(chunk)

    return written


# --- SQLite -------------------------------------------------------------------------------

SQLITE_SNAPSHOT = "SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') FROM accounts WHERE id = ?"
SQLITE_OBJECT_TYPES = """
    SELECT o.id, o.name, o.singular_label, o.plural_label,
           (SELECT count(*) FROM records r WHERE r.object_type_id = o.id AND r.deleted_at IS NULL)
    FROM object_types o WHERE o.account_id = ? ORDER BY o.is_custom, o.name
"""
SQLITE_PROPERTIES = """
    SELECT p.object_type_id, p.name, p.label, p.type, p.options, p.sensitive
    FROM properties p JOIN object_types o ON o.id = p.object_type_id
    WHERE o.account_id = ? ORDER BY p.id
"""
SQLITE_ASSOCIATIONS = PG_ASSOCIATIONS.replace("$1", "?")
SQLITE_RECORDS = """
    SELECT id, properties FROM records
    WHERE object_type_id = ? AND deleted_at IS NULL ORDER BY id
"""


@asynccontextmanager
async def _sqlite_snapshot(
    file_path: str, account_id: UUID, batch_size: int
) -> AsyncIterator["_SqliteSnapshot"]:
    # A second connection on the same file: the application's one is held by any transaction
    # for its whole life, and in WAL mode this reader neither blocks writers nor sees them.
    # isolation_level=None: the transaction is the explicit BEGIN below, nothing implicit.
    connection = await aiosqlite.connect(file_path, isolation_level=None)
    try:
        await connection.execute("PRAGMA query_only = ON")
        await connection.execute("BEGIN")
        # SQLite takes the snapshot at the first read of the database, this one.
        async with connection.execute(SQLITE_SNAPSHOT, (str(account_id),)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise NotFound(f"No account {account_id}.")
        snapshot_at = datetime.fromisoformat(row[0]).replace(tzinfo=UTC)
        yield _SqliteSnapshot(connection, account_id, snapshot_at, batch_size)
        await connection.execute("COMMIT")
    finally:
        await connection.close()


class _SqliteSnapshot:
    def __init__(
        self, connection: aiosqlite.Connection, account_id: UUID, at: datetime, batch_size: int
    ) -> None:
        self._connection = connection
        self._account_id = str(account_id)
        self._batch_size = batch_size
        self.snapshot_at = at

    @asynccontextmanager
    async def streams(self, count: int) -> AsyncIterator[list[_Snapshot]]:
        # One reader: SQLite cannot share a snapshot between connections.
        yield [self]

    async def object_types(self) -> list[_ObjectType]:
        return _object_types(
            await self._connection.execute_fetchall(SQLITE_OBJECT_TYPES, (self._account_id,)),
            await self._connection.execute_fetchall(SQLITE_PROPERTIES, (self._account_id,)),
        )

    async def copy_rows(self, object_type: _ObjectType, entry: CsvEntry, written: Written) -> None:
        names = object_type.property_names
        async with self._connection.execute(SQLITE_RECORDS, (str(object_type.id),)) as cursor:
            while batch := await cursor.fetchmany(self._batch_size):
                await asyncio.to_thread(_write_batch, entry, batch, names)
                await written(entry.rows)

    async def copy_associations(self, entry: CsvEntry) -> None:
        async with self._connection.execute(SQLITE_ASSOCIATIONS, (self._account_id,)) as cursor:
            while batch := await cursor.fetchmany(self._batch_size):
                await asyncio.to_thread(entry.write_rows, [tuple(row) for row in batch])


def _write_batch(entry: CsvEntry, batch: Iterable[Sequence[Any]], names: list[str]) -> None:
    rows = []
    for record_id, properties in batch:
        values = json.loads(properties)
        rows.append([record_id, *(values.get(name) for name in names)])
    entry.write_rows(rows)
