"""The restore benchmark: three properties of the account's contacts, one contact in four edited
since the backup, put back from a real backup.

The plan. Product: `planRestore`, its job sent through the Redis broker to a real worker
process, timed from the request to its PLANNED job event. Floor: the backup's contacts.csv
streamed from the ZIP with COPY into a temporary table, then one SELECT counting what differs,
per property and in all.

The restore. Product: `startRestore` for that plan (the step-up passes with an SSO session),
applied in batches by the worker; timed from the start to its SUCCEEDED job event. Floor: the
same COPY, then one UPDATE ... FROM setting the differing values, in one transaction, timed to
its commit; no verification, no saved changes, no events.

Before each measure the same contacts are edited again and the table vacuumed, so all start
from the same data. With several rounds they alternate, each measured round paired with the floor
round before it; the best and the worst pair are shown, the worst judged.
"""

import asyncio
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import asyncpg

from bench import database, report
from bench.pairs import Paired
from bench.report import MB
from bench.worker import WorkerProcess, until_succeeded
from models.accounts import Account, AuthMethod, Role
from models.backups import Backup, BackupStatus
from models.crm import ObjectType
from models.restores import RestoreKind
from services import accounts, jobs, restores, storage
from services.accounts import create_user
from services.backups import open_backup
from services.core.viewer import Viewer

PROPERTIES = ("firstname", "jobtitle", "lifecyclestage")
# The target holds for an account of a million records; in a small one the fixed costs (the
# file's checksum, the job reaching the worker) weigh more.
MAX_RATIO = 1.2
MAX_PLAN_RATIO = 1.5
TARGET_RECORDS = 1_000_000

# One live contact in four, chosen by its id, gets other values for the three properties.
EDIT = """
    UPDATE records SET properties = properties
        || '{"firstname": "Edited", "jobtitle": "Edited", "lifecyclestage": "customer"}'
    WHERE object_type_id = $1 AND deleted_at IS NULL AND get_byte(uuid_send(id), 15) % 4 = 0
"""


@dataclass(frozen=True)
class RestoreRow:
    # The account's live records (all types).
    records: int
    contacts: int
    edited: int
    plan_rounds: Paired
    rounds: Paired
    worker_rss_bytes: int

    @property
    def restore_seconds(self) -> float:
        return min(self.rounds.measured)


async def measure(
    url: str,
    account_id: UUID,
    env: dict[str, str],
    scratch: Path,
    limit_seconds: float,
    rounds: int = 1,
) -> RestoreRow:
    """From the account's newest backup (the backup benchmark just made one)."""
    path = scratch / "restore-floor.zip"
    backup = await newest_backup(account_id, path)
    contacts = await ObjectType.get(account_id=account_id, name="contacts")
    viewer, _ = await sso_session(account_id)
    header = await asyncio.to_thread(_header, path)
    connection = await database.connect_as_the_service(url)
    plan_floors, plans, floors, products = [], [], [], []
    try:
        with WorkerProcess(env, scratch / "worker-restore.log") as worker:
            await asyncio.to_thread(worker.wait_ready)
            for _ in range(rounds):
                await _edit(connection, url, contacts.id)
                floors.append(await _floor(connection, path, header, contacts.id))
                edited = await _edit(connection, url, contacts.id)
                plan_floors.append(await _plan_floor(connection, path, header, contacts.id, edited))
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
        plan_rounds=Paired(plan_floors, plans),
        rounds=Paired(floors, products),
        worker_rss_bytes=rss,
    )


async def newest_backup(account_id: UUID, path: Path) -> Backup:
    """The account's newest backup, its file fetched to `path`."""
    backup = (
        await Backup.filter(account_id=account_id, status=BackupStatus.SUCCEEDED)
        .order_by("-completed_at")
        .first()
    )
    if backup is None:
        raise RuntimeError("This benchmark needs a backup of the account first")
    await storage.current().get_file(backup.storage_key, path)
    return backup


async def sso_session(account_id: UUID) -> tuple[Viewer, str]:
    """A super admin signed in with SSO (the step-up passes without a TOTP code), and the
    session's bearer token."""
    account = await Account.get(id=account_id)
    user = await create_user(account, f"restore-{time.time_ns()}@bench.example", Role.SUPER_ADMIN)
    token = await accounts.start_session(user, AuthMethod.SSO)
    return await accounts.authenticate(token), token


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
    planned = await until_succeeded(worker, jobs.PLAN_RESTORE, plan.id, started + limit_seconds)
    plan_seconds = time.perf_counter() - started
    if planned.plan["records_to_change"] != edited:
        raise RuntimeError(f"The plan found {planned.plan['records_to_change']} of {edited}")
    started = time.perf_counter()
    await restores.start(
        viewer,
        plan.id,
        RestoreKind.RESTORE,
        acknowledge_data_change=True,
        acknowledge_irreversible=True,
    )
    done = await until_succeeded(worker, jobs.APPLY_RESTORE, plan.id, started + limit_seconds)
    restore_seconds = time.perf_counter() - started
    if done.counts["records_changed"] != edited:
        raise RuntimeError(f"The restore changed {done.counts} of {edited} edited contacts")
    return plan_seconds, restore_seconds


async def _plan_floor(
    connection: asyncpg.Connection, path: Path, header: list[str], contacts_id: UUID, edited: int
) -> float:
    """The file's rows copied in, then one statement counting what a restore would change: the
    records to change, the ones gone, and per property the values to set, clear or keep."""
    per_property = ", ".join(
        f"count(*) FILTER (WHERE {test})"
        for name in PROPERTIES
        for test in (
            f"r.properties ->> '{name}' IS DISTINCT FROM NULLIF(t.{name}, '') AND t.{name} <> ''",
            f"r.properties ->> '{name}' IS DISTINCT FROM NULLIF(t.{name}, '') AND t.{name} = ''",
            f"r.properties ->> '{name}' IS NOT DISTINCT FROM NULLIF(t.{name}, '')",
        )
    )
    started = time.perf_counter()
    async with connection.transaction():
        await _copy_in(connection, path, header)
        counts = await connection.fetchrow(
            f"""SELECT count(*) FILTER (WHERE r.id IS NULL OR r.deleted_at IS NOT NULL),
                count(*) FILTER (WHERE r.deleted_at IS NULL AND {CURRENT} <> {WANTED}),
                {per_property}
            FROM floor_rows t LEFT JOIN records r ON r.id = t.id AND r.object_type_id = $1""",
            contacts_id,
        )
        seconds = time.perf_counter() - started
        await connection.execute("DROP TABLE floor_rows")
    if counts[1] != edited:
        raise RuntimeError(f"The plan's floor found {counts[1]} of {edited} edited contacts")
    return seconds


async def _copy_in(connection: asyncpg.Connection, path: Path, header: list[str]) -> None:
    """contacts.csv, streamed from the ZIP into the temporary table floor_rows."""
    columns = ", ".join(f'"{name}" text' for name in header[1:])
    await connection.execute(f"CREATE TEMP TABLE floor_rows (id uuid, {columns})")
    with zipfile.ZipFile(path) as archive, archive.open("contacts.csv") as source:
        await connection.copy_to_table("floor_rows", source=source, format="csv", header=True)


async def _floor(
    connection: asyncpg.Connection, path: Path, header: list[str], contacts_id: UUID
) -> float:
    started = time.perf_counter()
    async with connection.transaction():
        await _copy_in(connection, path, header)
        await connection.execute(
            f"""UPDATE records r SET properties = (r.properties - $2::text[]) || {WANTED},
                updated_at = now()
            FROM floor_rows t WHERE r.id = t.id AND r.object_type_id = $1
                AND r.deleted_at IS NULL AND {CURRENT} <> {WANTED}""",
            contacts_id,
            list(PROPERTIES),
        )
    seconds = time.perf_counter() - started
    left = await connection.fetchval(DIFFERING, contacts_id)
    await connection.execute("DROP TABLE floor_rows")
    if left:
        raise RuntimeError(f"The floor left {left} contacts differing from the backup")
    return seconds


def _subset(value: str, names: list[str]) -> str:
    """SQL for the object of the set values among `names`; `value` formats one of them."""
    pairs = ", ".join(f"'{name}', {value.format(name)}" for name in names)
    return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"


# A contact's three properties now (r) and in the file (t), as objects of their set values.
CURRENT = _subset("r.properties -> '{}'", list(PROPERTIES))
WANTED = _subset("to_jsonb(NULLIF(t.{}, ''))", list(PROPERTIES))
# How many contacts differ from the backup in the three properties; 0 once restored.
DIFFERING = f"""
    SELECT count(*) FROM records r JOIN floor_rows t ON t.id = r.id
    WHERE r.object_type_id = $1 AND r.deleted_at IS NULL AND {CURRENT} <> {WANTED}
"""


def _header(path: Path) -> list[str]:
    """contacts.csv's header, once its checksum verifies (not timed: only to be sure both
    measures read the same, intact file)."""
    with open_backup(path) as reader:
        entry = next(entry for entry in reader.manifest.files if entry.object_type == "contacts")
        return entry.header


HEADER = (
    "contacts",
    "edited",
    "plan floor s",
    "plan s",
    "plan ratio best",
    "worst",
    "floor s",
    "restore s",
    "ratio best",
    "worst",
    "worker peak RSS MB",
)


def table(rows: list[RestoreRow]) -> str:
    return report.render(
        HEADER,
        [
            (
                f"{row.contacts:,}",
                f"{row.edited:,}",
                f"{min(row.plan_rounds.floors):.2f}",
                f"{min(row.plan_rounds.measured):.2f}",
                *row.plan_rounds.cells(),
                f"{min(row.rounds.floors):.2f}",
                f"{row.restore_seconds:.2f}",
                *row.rounds.cells(),
                f"{row.worker_rss_bytes / MB:.1f}",
            )
            for row in rows
        ],
    )


def verdicts(rows: list[RestoreRow]) -> list[str]:
    judged = [row for row in rows if row.records >= TARGET_RECORDS]
    targets = (
        (f"plan ratio <= {MAX_PLAN_RATIO}", MAX_PLAN_RATIO, lambda row: row.plan_rounds.worst),
        (f"restore ratio <= {MAX_RATIO}", MAX_RATIO, lambda row: row.rounds.worst),
    )
    lines = []
    for name, limit, ratio in targets:
        target = f"{name} at N >= {TARGET_RECORDS:,}"
        if not judged:
            lines.append(f"n/a   {target} (give --records {TARGET_RECORDS})")
            continue
        worst = max(ratio(row) for row in judged)
        lines.append(report.verdict(worst <= limit, target, f"worst pair {worst:.2f}"))
    return lines
