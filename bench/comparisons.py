"""The comparison benchmark: two backups of the account, the later one taken after one live
contact in four had three of its values changed and one live record in a hundred (of every
type) went to the recycle bin, compared.

Product: `compareBackups` of the two, posted to the GraphQL app in process, its job sent over
Redis to a real worker process started for this measure alone (its peak RSS is the
comparison's); timed from the request to the job's SUCCEEDED event. Floor: both files read
once by the plainest fast means: each fetched from storage as a reader gets it (decrypted),
then every CSV in it decompressed and parsed by the csv module, the rows counted and dropped;
no checksum, no comparison, nothing written.

The two backups are made untimed, by a worker of their own; the records sent to the recycle
bin come back afterwards, so the next N seeds on the count it expects. With several rounds the
floor and the product alternate, each product round paired with the floor round before it.
"""

import asyncio
import csv
import io
import json
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from bench import database, report
from bench.pairs import Paired
from bench.report import MB
from bench.restore import sso_session
from bench.worker import WorkerProcess, until_succeeded
from models.accounts import Account
from models.backups import Backup
from models.crm import ObjectType
from services import backups, jobs, storage
from services.core.viewer import Viewer

MAX_RATIO = 1.5
MAX_RSS_MB = 150.0
# "Flat in N": ten times the records may cost no more than this much more memory.
MAX_RSS_GROWTH_MB = 10.0
TARGET_RECORDS = 1_000_000

# One live contact in four, chosen by its id, gets three values it never had.
EDIT = """
    UPDATE records SET properties = properties || jsonb_build_object(
        'firstname', 'Edited ' || coalesce(properties->>'firstname', ''),
        'jobtitle', 'Edited ' || coalesce(properties->>'jobtitle', ''),
        'lifecyclestage', 'Edited ' || coalesce(properties->>'lifecyclestage', ''))
    WHERE object_type_id = $1 AND deleted_at IS NULL AND get_byte(uuid_send(id), 15) % 4 = 0
"""
# One live record in a hundred, chosen by its id, goes to the recycle bin.
DELETE = """
    UPDATE records SET deleted_at = now()
    WHERE account_id = $1 AND deleted_at IS NULL AND hashtext(id::text) % 100 = 0
    RETURNING id
"""
# The edited contacts still live: those the comparison should find changed.
STILL_EDITED = """
    SELECT count(*) FROM records
    WHERE object_type_id = $1 AND deleted_at IS NULL AND get_byte(uuid_send(id), 15) % 4 = 0
"""
UNDELETE = "UPDATE records SET deleted_at = NULL WHERE id = ANY($1::uuid[])"

COMPARE = """
    mutation Compare($from: ID!, $to: ID) {
        compareBackups(fromBackupId: $from, toBackupId: $to) { id }
    }
"""


@dataclass(frozen=True)
class CompareRow:
    # Records in the earlier backup, all types.
    records: int
    changed: int
    deleted: int
    rounds: Paired
    worker_rss_bytes: int


@dataclass(frozen=True)
class Setting:
    """What the measure needs of the run."""

    url: str
    account_id: UUID
    env: dict[str, str]
    app: Any
    scratch: Path
    limit_seconds: float


async def measure(setting: Setting, rounds: int = 1) -> CompareRow:
    viewer, token = await sso_session(setting.account_id)
    connection = await asyncpg.connect(database.driver_url(setting.url))
    contacts = await ObjectType.get(account_id=setting.account_id, name="contacts")
    log = setting.scratch / "worker-compare-backups.log"
    removed: list[UUID] = []
    paths = [setting.scratch / "compare-before.zip", setting.scratch / "compare-after.zip"]
    try:
        with WorkerProcess(setting.env, log) as maker:
            await asyncio.to_thread(maker.wait_ready)
            before = await _backup(viewer, maker, setting.limit_seconds)
            await connection.execute(EDIT, contacts.id)
            removed = [row["id"] for row in await connection.fetch(DELETE, setting.account_id)]
            changed = int(await connection.fetchval(STILL_EDITED, contacts.id))
            after = await _backup(viewer, maker, setting.limit_seconds)
        pair = (before, after)
        expected = _Expected(changed, len(removed))
        floors, products = [], []
        log = setting.scratch / "worker-compare.log"
        with WorkerProcess(setting.env, log) as worker:
            await asyncio.to_thread(worker.wait_ready)
            product = _Product(setting, token, worker, expected)
            for _ in range(rounds):
                floors.append(await _floor(pair, paths))
                products.append(await product.run(pair))
            rss = worker.peak_rss_bytes()
    finally:
        await connection.execute(UNDELETE, removed)
        await database.prepare_for_reading(setting.url)
        await connection.close()
    return CompareRow(
        records=sum(before.object_counts.values()),
        changed=changed,
        deleted=len(removed),
        rounds=Paired(floors, products),
        worker_rss_bytes=rss,
    )


async def _backup(viewer: Viewer, worker: WorkerProcess, limit_seconds: float) -> Backup:
    # The manual quota allows one a day: reopened, untimed.
    await Account.filter(id=viewer.account_id).update(next_manual_backup_at=None)
    asked = await backups.request_manual_backup(viewer, confirm=True)
    deadline = time.perf_counter() + limit_seconds
    return await until_succeeded(worker, jobs.EXPORT_BACKUP, asked.id, deadline)


@dataclass(frozen=True)
class _Expected:
    changed: int
    deleted: int


@dataclass(frozen=True)
class _Product:
    setting: Setting
    token: str
    worker: WorkerProcess
    expected: _Expected

    async def run(self, pair: tuple[Backup, Backup]) -> float:
        before, after = pair
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        body = json.dumps(
            {"query": COMPARE, "variables": {"from": str(before.id), "to": str(after.id)}}
        )
        transport = httpx.ASGITransport(app=self.setting.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            started = time.perf_counter()
            response = await client.post("/graphql", content=body, headers=headers)
            answer = response.json()
            if response.status_code != 200 or answer.get("errors"):
                raise RuntimeError(f"compareBackups failed: {response.text[:500]}")
            comparison_id = UUID(answer["data"]["compareBackups"]["id"])
            deadline = started + self.setting.limit_seconds
            done = await until_succeeded(self.worker, jobs.COMPARE_BACKUPS, comparison_id, deadline)
            seconds = time.perf_counter() - started
        self._check(done.result)
        return seconds

    def _check(self, result: dict[str, Any]) -> None:
        objects = result["objects"]
        changed = sum(diff["changed"] for diff in objects)
        deleted = sum(diff["deleted"] + diff["purged"] for diff in objects)
        if (changed, deleted) != (self.expected.changed, self.expected.deleted):
            raise RuntimeError(
                f"The comparison found {changed} changed and {deleted} removed records, "
                f"not {self.expected.changed} and {self.expected.deleted}"
            )


async def _floor(pair: tuple[Backup, Backup], paths: Sequence[Path]) -> float:
    started = time.perf_counter()
    for backup, path in zip(pair, paths, strict=True):
        await storage.current().get_file(backup.storage_key, path)
    rows = await asyncio.to_thread(_read_once, paths)
    seconds = time.perf_counter() - started
    for path in paths:
        path.unlink()
    expected = sum(sum(backup.object_counts.values()) for backup in pair)
    if rows != expected:
        raise RuntimeError(f"The floor read {rows:,} rows, not {expected:,}")
    return seconds


def _read_once(paths: Sequence[Path]) -> int:
    """Every CSV of each file, decompressed and parsed; the data rows read."""
    rows = 0
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not name.endswith(".csv"):
                    continue
                with (
                    archive.open(name) as raw,
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as text,
                ):
                    rows += sum(1 for _ in csv.reader(text)) - 1
    return rows


HEADER = (
    "N",
    "changed",
    "deleted",
    "floor s",
    "compare s",
    "ratio best pair",
    "worst pair",
    "worker peak RSS MB",
)


def table(rows: list[CompareRow]) -> str:
    return report.render(
        HEADER,
        [
            (
                f"{row.records:,}",
                f"{row.changed:,}",
                f"{row.deleted:,}",
                f"{min(row.rounds.floors):.2f}",
                f"{min(row.rounds.measured):.2f}",
                *row.rounds.cells(),
                f"{row.worker_rss_bytes / MB:.1f}",
            )
            for row in rows
        ],
    )


def verdicts(rows: list[CompareRow]) -> list[str]:
    lines = []
    judged = [row for row in rows if row.records >= TARGET_RECORDS]
    target = f"compare ratio <= {MAX_RATIO} at N >= {TARGET_RECORDS:,}"
    if judged:
        worst = max(row.rounds.worst for row in judged)
        lines.append(report.verdict(worst <= MAX_RATIO, target, f"worst pair {worst:.2f}"))
    else:
        lines.append(f"n/a   {target} (give --records {TARGET_RECORDS})")
    peak = max(row.worker_rss_bytes for row in rows) / MB
    target = f"compare: worker peak RSS <= {MAX_RSS_MB:.0f} MB"
    lines.append(report.verdict(peak <= MAX_RSS_MB, target, f"worst {peak:.1f} MB"))
    if len(rows) > 1:
        smallest, largest = rows[0], rows[-1]
        growth = (largest.worker_rss_bytes - smallest.worker_rss_bytes) / MB
        target = f"compare: worker peak RSS flat in N (<= +{MAX_RSS_GROWTH_MB:.0f} MB)"
        lines.append(report.verdict(growth <= MAX_RSS_GROWTH_MB, target, f"{growth:+.1f} MB"))
    return lines
