"""The import benchmark: the account's newest backup ZIP (every object type) restored as an
uploaded file, after one live record in eight lost its values and another one in eight went to
the recycle bin.

Product: the ZIP sent to `POST /imports` of a real API process (`crm-backup serve`), its plan
made by a real worker process, then started (the step-up passes with an SSO session) and
applied; timed from the upload's first byte to the restore's SUCCEEDED job event, the upload,
the plan and the apply each timed too. Floor: each CSV streamed from the ZIP with COPY into a
temporary table, then one INSERT ... ON CONFLICT DO UPDATE putting back the records that
differ or are in the recycle bin, in one transaction, timed to its commit; no verification,
no plan, no saved changes, no events.

The API and the worker are started for this measure alone, so their peak RSS is the import's
(and their start-up's). Before each measure the same records are changed again and the table
vacuumed, so all start from the same data. With several rounds they alternate and the best of
each counts.
"""

import asyncio
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from uuid import UUID

import asyncpg
import httpx

from bench import database, report
from bench.api import ApiProcess
from bench.report import MB
from bench.restore import newest_backup, sso_session
from bench.worker import WorkerProcess, until_succeeded
from models.crm import ObjectType
from models.restores import RestoreKind
from services import jobs, restores
from services.backups import FileEntry, open_backup
from services.core.viewer import Viewer

MAX_RATIO = 1.5
MAX_RSS_MB = 150.0
TARGET_RECORDS = 1_000_000

# Chosen by the id's last byte: one live record in eight loses its values, another goes to the
# recycle bin.
CHANGE = """
    UPDATE records SET
        properties = CASE WHEN get_byte(uuid_send(id), 15) % 8 = 0 THEN '{}' ELSE properties END,
        deleted_at = CASE WHEN get_byte(uuid_send(id), 15) % 8 = 1 THEN now() END
    WHERE account_id = $1 AND deleted_at IS NULL AND get_byte(uuid_send(id), 15) % 8 IN (0, 1)
"""


@dataclass(frozen=True)
class ImportRow:
    records: int
    changed: int
    floor_seconds: float
    upload_seconds: float
    plan_seconds: float
    apply_seconds: float
    api_rss_bytes: int
    worker_rss_bytes: int

    @property
    def import_seconds(self) -> float:
        return self.upload_seconds + self.plan_seconds + self.apply_seconds

    @property
    def ratio(self) -> float:
        return self.import_seconds / self.floor_seconds


@dataclass(frozen=True)
class _Timed:
    upload: float
    plan: float
    apply: float

    @property
    def total(self) -> float:
        return self.upload + self.plan + self.apply


async def measure(
    url: str,
    account_id: UUID,
    env: dict[str, str],
    scratch: Path,
    limit_seconds: float,
    rounds: int = 1,
) -> ImportRow:
    """From the account's newest backup (the backup benchmark just made one)."""
    path = scratch / "import.zip"
    await newest_backup(account_id, path)
    entries = await asyncio.to_thread(_entries, path)
    types = {t.name: t.id for t in await ObjectType.filter(account_id=account_id)}
    viewer, token = await sso_session(account_id)
    connection = await asyncpg.connect(database.driver_url(url))
    floors: list[float] = []
    products: list[_Timed] = []
    try:
        with (
            ApiProcess(env, scratch / "api-import.log") as api,
            WorkerProcess(env, scratch / "worker-import.log") as worker,
        ):
            await asyncio.to_thread(api.wait_ready)
            await asyncio.to_thread(worker.wait_ready)
            for _ in range(rounds):
                changed = await _change(connection, url, account_id)
                floors.append(await _floor(connection, path, entries, types, account_id, changed))
                changed = await _change(connection, url, account_id)
                product = _Product(viewer, token, api, worker, changed, limit_seconds)
                products.append(await product.run(path))
            api_rss, worker_rss = api.peak_rss_bytes(), worker.peak_rss_bytes()
    finally:
        await connection.close()
        path.unlink(missing_ok=True)
    best = min(products, key=lambda timed: timed.total)
    return ImportRow(
        records=sum(entry.rows for entry in entries),
        changed=changed,
        floor_seconds=min(floors),
        upload_seconds=best.upload,
        plan_seconds=best.plan,
        apply_seconds=best.apply,
        api_rss_bytes=api_rss,
        worker_rss_bytes=worker_rss,
    )


def _entries(path: Path) -> list[FileEntry]:
    """The ZIP's files, once its checksums verify (not timed: only to be sure both measures
    read the same, intact file)."""
    with open_backup(path) as reader:
        return list(reader.manifest.files)


async def _change(connection: asyncpg.Connection, url: str, account_id: UUID) -> int:
    status = await connection.execute(CHANGE, account_id)
    await database.prepare_for_reading(url)
    return int(status.split()[-1])


@dataclass(frozen=True)
class _Product:
    viewer: Viewer
    token: str
    api: ApiProcess
    worker: WorkerProcess
    changed: int
    limit_seconds: float

    async def run(self, path: Path) -> _Timed:
        started = time.perf_counter()
        deadline = started + self.limit_seconds
        plan_id = await self._upload(path)
        uploaded = time.perf_counter()
        planned = await until_succeeded(self.worker, jobs.PLAN_RESTORE, plan_id, deadline)
        plan = cast(dict[str, int], planned.plan)
        to_write = plan["records_to_change"] + plan["records_to_bring_back"]
        if to_write != self.changed or plan["records_refused"]:
            raise RuntimeError(f"The plan would write {to_write} of {self.changed}: {plan}")
        planned_at = time.perf_counter()
        await restores.start(
            self.viewer,
            plan_id,
            RestoreKind.RESTORE,
            acknowledge_data_change=True,
            acknowledge_irreversible=True,
        )
        done = await until_succeeded(self.worker, jobs.APPLY_RESTORE, plan_id, deadline)
        applied = time.perf_counter()
        written = done.counts["records_changed"] + done.counts["records_brought_back"]
        if written != self.changed:
            raise RuntimeError(f"The import wrote {done.counts} of {self.changed}")
        return _Timed(uploaded - started, planned_at - uploaded, applied - planned_at)

    async def _upload(self, path: Path) -> str:
        """The ZIP streamed to `POST /imports`, as a browser sends it; the plan's id."""
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.api.url, timeout=self.limit_seconds) as client:
            with path.open("rb") as file:
                files = {"file": (path.name, file, "application/zip")}
                response = await client.post("/imports", files=files, headers=headers)
        if response.status_code != 202:
            raise RuntimeError(f"The upload was refused: {response.status_code} {response.text}")
        return str(response.json()["id"])


async def _floor(
    connection: asyncpg.Connection,
    path: Path,
    entries: list[FileEntry],
    types: dict[str, UUID],
    account_id: UUID,
    changed: int,
) -> float:
    """Every CSV copied in, then one upsert of the rows whose records differ or are binned:
    each type's columns replaced (cleared where blank), other properties kept."""
    started = time.perf_counter()
    async with connection.transaction():
        for n, entry in enumerate(entries):
            await _copy_in(connection, path, entry, f"floor_{n}")
        status = await connection.execute(_upsert(entries, types), account_id)
    seconds = time.perf_counter() - started
    if int(status.split()[-1]) != changed:
        raise RuntimeError(f"The floor wrote {status.split()[-1]} of {changed} changed records")
    for n in range(len(entries)):
        await connection.execute(f"DROP TABLE floor_{n}")
    return seconds


async def _copy_in(
    connection: asyncpg.Connection, path: Path, entry: FileEntry, table: str
) -> None:
    columns = ", ".join(f'"{name}" text' for name in entry.header[1:])
    await connection.execute(f"CREATE TEMP TABLE {table} (id uuid, {columns})")
    with zipfile.ZipFile(path) as archive, archive.open(entry.file_name) as source:
        await connection.copy_to_table(table, source=source, format="csv", header=True)


def _upsert(entries: list[FileEntry], types: dict[str, UUID]) -> str:
    """$1 the account."""
    rows = " UNION ALL ".join(
        f"SELECT id, '{types[entry.object_type]}'::uuid AS type_id, {_wanted(entry)} AS wanted "
        f"FROM floor_{n}"
        for n, entry in enumerate(entries)
    )
    names = " ".join(f"WHEN '{types[entry.object_type]}' THEN {_names(entry)}" for entry in entries)
    merged = f"(r.properties - CASE r.object_type_id {names} END) || excluded.properties"
    return f"""
        INSERT INTO records AS r (id, account_id, object_type_id, properties, created_at,
                                  updated_at)
        SELECT id, $1, type_id, wanted, now(), now() FROM ({rows}) AS f
        ON CONFLICT (id) DO UPDATE SET properties = {merged}, deleted_at = NULL,
            updated_at = now()
        WHERE r.deleted_at IS NOT NULL OR {merged} <> r.properties
    """


def _wanted(entry: FileEntry) -> str:
    pairs = ", ".join(f"'{name}', NULLIF(\"{name}\", '')" for name in entry.header[1:])
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"


def _names(entry: FileEntry) -> str:
    return "ARRAY[" + ", ".join(f"'{name}'" for name in entry.header[1:]) + "]::text[]"


HEADER = (
    "N",
    "changed",
    "floor s",
    "upload s",
    "plan s",
    "apply s",
    "import s",
    "ratio",
    "API peak RSS MB",
    "worker peak RSS MB",
)


def table(rows: list[ImportRow]) -> str:
    return report.render(
        HEADER,
        [
            (
                f"{row.records:,}",
                f"{row.changed:,}",
                f"{row.floor_seconds:.2f}",
                f"{row.upload_seconds:.2f}",
                f"{row.plan_seconds:.2f}",
                f"{row.apply_seconds:.2f}",
                f"{row.import_seconds:.2f}",
                f"{row.ratio:.2f}",
                f"{row.api_rss_bytes / MB:.1f}",
                f"{row.worker_rss_bytes / MB:.1f}",
            )
            for row in rows
        ],
    )


def verdicts(rows: list[ImportRow]) -> list[str]:
    lines = []
    judged = [row for row in rows if row.records >= TARGET_RECORDS]
    target = f"import ratio <= {MAX_RATIO} at N >= {TARGET_RECORDS:,}"
    if judged:
        worst = max(row.ratio for row in judged)
        lines.append(report.verdict(worst <= MAX_RATIO, target, f"worst {worst:.2f}"))
    else:
        lines.append(f"n/a   {target} (give --records {TARGET_RECORDS})")
    peak = max(max(row.api_rss_bytes, row.worker_rss_bytes) for row in rows) / MB
    target = f"import: API and worker peak RSS <= {MAX_RSS_MB:.0f} MB"
    lines.append(report.verdict(peak <= MAX_RSS_MB, target, f"worst {peak:.1f} MB"))
    return lines
