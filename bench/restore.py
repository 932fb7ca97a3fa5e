"""The restore benchmark: three properties of the account's contacts, one contact in four edited
since the backup, put back from a real backup.

Measure A, the product path: `startRestore` for a plan (the step-up passes with an SSO session),
its job sent through the Redis broker, and a real worker process applying it in batches; timed
from the start to its SUCCEEDED job event. Measure B, the raw floor: the backup's contacts.csv
streamed from the ZIP with COPY into a temporary table, then one UPDATE ... FROM setting the
differing values, in one transaction, timed to its commit; no verification, no saved changes,
no events.

Before each measure the same contacts are edited again and the table vacuumed, so both start
from the same data. With several rounds the two alternate and the best of each counts.
"""

import asyncio
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg

from bench import database, report
from bench.report import MB
from bench.worker import WorkerProcess, until_succeeded
from models.accounts import Account, AuthMethod, Role
from models.backups import Backup, BackupStatus
from models.crm import ObjectType
from models.restores import Restore, RestoreKind
from services import accounts, restores, storage
from services.accounts import create_user
from services.backups import open_backup
from services.core.viewer import Viewer

PROPERTIES = ("firstname", "jobtitle", "lifecyclestage")
# The target holds for an account of a million records; in a small one the fixed costs (the
# file's checksum, the job reaching the worker) weigh more.
MAX_RATIO = 1.5
TARGET_RECORDS = 1_000_000

# One live contact in four, chosen by its id, gets other values for the three properties.
EDIT = """
    UPDATE records SET properties = properties
        || '{"firstname": "Edited", "jobtitle": "Edited", "lifecyclestage": "customer"}'
    WHERE object_type_id = $1 AND deleted_at IS NULL AND get_byte(uuid_send(id), 15) % 4 = 0
"""
# How many contacts differ from the backup in the three properties; 0 once restored.
DIFFERING = """
    SELECT count(*) FROM records r JOIN floor_rows t ON t.id = r.id
    WHERE r.object_type_id = $1 AND r.deleted_at IS NULL AND {current} <> {wanted}
"""


@dataclass(frozen=True)
class RestoreRow:
    # The account's live records (all types).
    records: int
    contacts: int
    edited: int
    plan_seconds: float
    floor_seconds: float
    restore_seconds: float
    worker_rss_bytes: int

    @property
    def ratio(self) -> float:
        return self.restore_seconds / self.floor_seconds


async def measure(
    url: str,
    account_id: UUID,
    env: dict[str, str],
    scratch: Path,
    limit_seconds: float,
    rounds: int = 1,
) -> RestoreRow:
    """From the account's newest backup (the backup benchmark just made one)."""
    backup = (
        await Backup.filter(account_id=account_id, status=BackupStatus.SUCCEEDED)
        .order_by("-completed_at")
        .first()
    )
    if backup is None:
        raise RuntimeError("The restore benchmark needs a backup of the account first")
    contacts = await ObjectType.get(account_id=account_id, name="contacts")
    viewer = await _sso_super_admin(account_id)
    path = scratch / "restore-floor.zip"
    await storage.current().get_file(backup.storage_key, path)
    header = await asyncio.to_thread(_header, path)
    connection = await asyncpg.connect(database.driver_url(url))
    plans, floors, products = [], [], []
    try:
        with WorkerProcess(env, scratch / "worker-restore.log") as worker:
            await asyncio.to_thread(worker.wait_ready)
            for _ in range(rounds):
                await _edit(connection, url, contacts.id)
                floors.append(await _floor(connection, path, header, contacts.id))
                edited = await _edit(connection, url, contacts.id)
                timed = await _product(viewer, backup, worker, edited, limit_seconds)
                plan_seconds, restore_seconds = timed
                plans.append(plan_seconds)
                products.append(restore_seconds)
            rss = worker.peak_rss_bytes()
    finally:
        await connection.close()
        path.unlink(missing_ok=True)
    return RestoreRow(
        records=sum(backup.object_counts.values()),
        contacts=backup.object_counts["contacts"],
        edited=edited,
        plan_seconds=min(plans),
        floor_seconds=min(floors),
        restore_seconds=min(products),
        worker_rss_bytes=rss,
    )


async def _sso_super_admin(account_id: UUID) -> Viewer:
    """A super admin signed in with SSO: the step-up passes without a TOTP code."""
    account = await Account.get(id=account_id)
    user = await create_user(account, f"restore-{time.time_ns()}@bench.example", Role.SUPER_ADMIN)
    return await accounts.authenticate(await accounts.start_session(user, AuthMethod.SSO))


async def _edit(connection: asyncpg.Connection, url: str, contacts_id: UUID) -> int:
    status = await connection.execute(EDIT, contacts_id)
    await database.prepare_for_reading(url)
    return int(status.split()[-1])


async def _product(
    viewer: Viewer, backup: Backup, worker: WorkerProcess, edited: int, limit_seconds: float
) -> tuple[float, float]:
    """(plan seconds, restore seconds): the plan is not part of the restore's time."""
    started = time.perf_counter()
    plan = await restores.plan_restore(viewer, backup.id, "contacts", list(PROPERTIES))
    plan_seconds = time.perf_counter() - started
    started = time.perf_counter()
    await restores.start(
        viewer,
        plan.id,
        RestoreKind.RESTORE,
        acknowledge_data_change=True,
        acknowledge_irreversible=True,
    )
    done = await until_succeeded(worker, Restore, plan.id, started + limit_seconds)
    restore_seconds = time.perf_counter() - started
    if done.counts["records_changed"] != edited:
        raise RuntimeError(f"The restore changed {done.counts} of {edited} edited contacts")
    return plan_seconds, restore_seconds


async def _floor(
    connection: asyncpg.Connection, path: Path, header: list[str], contacts_id: UUID
) -> float:
    names = list(PROPERTIES)
    current = _subset("r.properties -> '{}'", names)
    wanted = _subset("to_jsonb(NULLIF(t.{}, ''))", names)
    columns = ", ".join(f'"{name}" text' for name in header[1:])
    started = time.perf_counter()
    async with connection.transaction():
        await connection.execute(f"CREATE TEMP TABLE floor_rows (id uuid, {columns})")
        with zipfile.ZipFile(path) as archive, archive.open("contacts.csv") as source:
            await connection.copy_to_table("floor_rows", source=source, format="csv", header=True)
        await connection.execute(
            f"""UPDATE records r SET properties = (r.properties - $2::text[]) || {wanted},
                updated_at = now()
            FROM floor_rows t WHERE r.id = t.id AND r.object_type_id = $1
                AND r.deleted_at IS NULL AND {current} <> {wanted}""",
            contacts_id,
            names,
        )
    seconds = time.perf_counter() - started
    left = await connection.fetchval(DIFFERING.format(current=current, wanted=wanted), contacts_id)
    await connection.execute("DROP TABLE floor_rows")
    if left:
        raise RuntimeError(f"The floor left {left} contacts differing from the backup")
    return seconds


def _subset(value: str, names: list[str]) -> str:
    """SQL for the object of the set values among `names`; `value` formats one of them."""
    pairs = ", ".join(f"'{name}', {value.format(name)}" for name in names)
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"


def _header(path: Path) -> list[str]:
    """contacts.csv's header, once its checksum verifies (not timed: only to be sure both
    measures read the same, intact file)."""
    with open_backup(path, "contacts") as reader:
        entry = next(entry for entry in reader.manifest.files if entry.object_type == "contacts")
        return entry.header


HEADER = ("contacts", "edited", "plan s", "floor s", "restore s", "ratio", "worker peak RSS MB")


def table(rows: list[RestoreRow]) -> str:
    return report.render(
        HEADER,
        [
            (
                f"{row.contacts:,}",
                f"{row.edited:,}",
                f"{row.plan_seconds:.2f}",
                f"{row.floor_seconds:.2f}",
                f"{row.restore_seconds:.2f}",
                f"{row.ratio:.2f}",
                f"{row.worker_rss_bytes / MB:.1f}",
            )
            for row in rows
        ],
    )


def verdict(rows: list[RestoreRow]) -> str:
    target = f"restore ratio <= {MAX_RATIO} at N >= {TARGET_RECORDS:,}"
    judged = [row for row in rows if row.records >= TARGET_RECORDS]
    if not judged:
        return f"n/a   {target} (give --records {TARGET_RECORDS})"
    worst = max(row.ratio for row in judged)
    return report.verdict(worst <= MAX_RATIO, target, f"worst {worst:.2f}")
