"""The restore benchmark: three properties of the account's contacts, one contact in four edited
since the backup, put back from a real backup.

Measure A, the product path: `startRestore` for a plan (the step-up passes with an SSO session),
its job sent through the Redis broker, and a real worker process applying it in batches; timed
from the start to the row reading SUCCEEDED. Measure B, the raw floor: the backup's contacts.csv
streamed from the ZIP with COPY into a temporary table, then one UPDATE ... FROM setting the
differing values, in one transaction; no verification, no saved changes, no events.

Before each measure the same contacts are edited again and the table vacuumed, so both start
from the same data.
"""

import asyncio
import io
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg

from bench import database, report
from bench.report import MB
from bench.worker import WorkerProcess
from models.accounts import Account, AuthMethod, Role
from models.backups import Backup, BackupStatus
from models.crm import ObjectType
from models.restores import Restore, RestoreKind, RestoreStatus
from services import auth, environment, restore_plan, restores
from services.accounts import create_user
from services.auth import Viewer
from services.backup_format import verify

PROPERTIES = ("firstname", "jobtitle", "lifecyclestage")
POLL_SECONDS = 0.02
MAX_RATIO = 1.5

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
    url: str, account_id: UUID, env: dict[str, str], scratch: Path, limit_seconds: float
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
    connection = await asyncpg.connect(database.driver_url(url))
    try:
        with WorkerProcess(env, scratch / "worker-restore.log") as worker:
            await asyncio.to_thread(worker.wait_ready)
            edited = await _edit(connection, url, contacts.id)
            started = time.perf_counter()
            plan = await restore_plan.plan_restore(viewer, backup.id, "contacts", list(PROPERTIES))
            plan_seconds = time.perf_counter() - started
            restore_seconds, done = await _restore(viewer, plan.id, worker, limit_seconds)
            rss = worker.peak_rss_bytes()
        if done.counts["records_changed"] != edited:
            raise RuntimeError(f"The restore changed {done.counts} of {edited} edited contacts")
        await _edit(connection, url, contacts.id)
        floor_seconds = await _floor(connection, backup, contacts.id)
    finally:
        await connection.close()
    return RestoreRow(
        contacts=backup.object_counts["contacts"],
        edited=edited,
        plan_seconds=plan_seconds,
        floor_seconds=floor_seconds,
        restore_seconds=restore_seconds,
        worker_rss_bytes=rss,
    )


async def _sso_super_admin(account_id: UUID) -> Viewer:
    """A super admin signed in with SSO: the step-up passes without a TOTP code."""
    account = await Account.get(id=account_id)
    user = await create_user(account, f"restore-{time.time_ns()}@bench.example", Role.SUPER_ADMIN)
    return await auth.authenticate(await auth.start_session(user, AuthMethod.SSO))


async def _edit(connection: asyncpg.Connection, url: str, contacts_id: UUID) -> int:
    status = await connection.execute(EDIT, contacts_id)
    await database.prepare_for_reading(url)
    return int(status.split()[-1])


async def _restore(
    viewer: Viewer, plan_id: UUID, worker: WorkerProcess, limit_seconds: float
) -> tuple[float, Restore]:
    started = time.perf_counter()
    await restores.start(
        viewer,
        plan_id,
        RestoreKind.RESTORE,
        acknowledge_data_change=True,
        acknowledge_irreversible=True,
    )
    while True:
        restore = await Restore.get(id=plan_id)
        if restore.status == RestoreStatus.SUCCEEDED:
            return time.perf_counter() - started, restore
        if restore.status == RestoreStatus.FAILED or restore.failure_reason:
            raise RuntimeError(f"The restore failed: {restore.failure_reason}")
        if not worker.alive():
            raise RuntimeError(f"The worker exited:\n{worker.log_tail()}")
        if time.perf_counter() - started > limit_seconds:
            raise TimeoutError(f"The restore was still {restore.status} at the deadline")
        await asyncio.sleep(POLL_SECONDS)


async def _floor(connection: asyncpg.Connection, backup: Backup, contacts_id: UUID) -> float:
    path = _local_path(backup)
    header = await asyncio.to_thread(_header, path)
    names = list(PROPERTIES)
    current = _subset("r.properties -> '{}'", names)
    wanted = _subset("to_jsonb(NULLIF(t.{}, ''))", names)
    columns = ", ".join(f'"{name}" text' for name in header[1:])
    started = time.perf_counter()
    async with connection.transaction():
        await connection.execute(
            f"CREATE TEMP TABLE floor_rows (id uuid, {columns}) ON COMMIT DROP"
        )
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
        left = await connection.fetchval(
            DIFFERING.format(current=current, wanted=wanted), contacts_id
        )
    if left:
        raise RuntimeError(f"The floor left {left} contacts differing from the backup")
    return seconds


def _subset(value: str, names: list[str]) -> str:
    """SQL for the object of the set values among `names`; `value` formats one of them."""
    pairs = ", ".join(f"'{name}', {value.format(name)}" for name in names)
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"


def _local_path(backup: Backup) -> Path:
    storage = environment.current().storage
    path = Path(getattr(storage, "root", "")) / backup.storage_key
    if not path.is_file():
        raise RuntimeError("The restore floor reads the backup from local storage (STORAGE_DIR)")
    return path


def _header(path: Path) -> list[str]:
    verify(path)  # Not timed: only to be sure both measures read the same, intact file.
    with zipfile.ZipFile(path) as archive, archive.open("contacts.csv") as source:
        return io.TextIOWrapper(source, encoding="utf-8").readline().rstrip("\n").split(",")


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
    worst = max(row.ratio for row in rows)
    return report.verdict(worst <= MAX_RATIO, f"restore ratio <= {MAX_RATIO}", f"worst {worst:.2f}")
