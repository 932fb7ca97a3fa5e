"""A worker process killed (SIGKILL) in the middle of an export does not lose the job: the lease
it stops renewing lapses, the scheduler sends the job again, a new worker process takes it over,
and the backup ends SUCCEEDED with exactly one complete file."""

import asyncio
import csv
import hashlib
import io
import time
import uuid
import zipfile
from pathlib import Path

import asyncpg

from services.backups.file_format import verify
from services.storage import backup_key
from tests.graphql_ws import signed_in
from tests.polling import poll_until
from tests.workers.conftest import JOB_LEASE_SECONDS, SCHEDULER_INTERVAL_SECONDS, Tenant, Topology

# Enough rows for an export to take a few seconds, so that it can be killed half-way.
ROWS = 200_000
# A new worker process needs about this long to boot before it can take any job.
STARTUP_SLACK_SECONDS = 5
TAKEN_AGAIN_WITHIN = JOB_LEASE_SECONDS + SCHEDULER_INTERVAL_SECONDS + STARTUP_SLACK_SECONDS

CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"
PROGRESS = "subscription($id: ID!) { jobProgress(id: $id) { status rowsDone rowsTotal } }"

# Server-side generation: far quicker than sending the rows, and the export cannot tell.
SEED = """
    INSERT INTO records (id, account_id, object_type_id, properties, created_at, updated_at)
    SELECT gen_random_uuid(), $1, o.id,
           jsonb_build_object(
               'email', 'contact' || i || '@example.com', 'firstname', 'First ' || i,
               'lastname', 'Last ' || i, 'jobtitle', 'Engineer', 'phone', '+1 555 ' || i),
           now(), now()
    FROM object_types o, generate_series(1, $2) AS i
    WHERE o.account_id = $1 AND o.name = 'contacts'
"""
IDS = "SELECT id FROM records WHERE account_id = $1 AND deleted_at IS NULL"
ROW = "SELECT status, attempts, storage_key, sha256, failure_reason FROM backups WHERE id = $1"
FINISHED = ("SUCCEEDED", "FAILED")


async def test_a_job_whose_worker_is_killed_mid_export_finishes_once(topology: Topology) -> None:
    tenant = await topology.sign_up()
    db = await topology.connect()
    try:
        await db.execute(SEED, uuid.UUID(tenant.account_id), ROWS)
        async with topology.graphql() as gql:
            backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
        await _until_half_way(topology, tenant, backup_id)

        topology.kill_workers()
        killed_at = time.monotonic()
        topology.start_worker("worker-after-kill")
        await poll_until(lambda: _taken_again(db, backup_id), seconds=30)
        taken_again_after = time.monotonic() - killed_at
        backup = await poll_until(lambda: _finished(db, backup_id), seconds=30)
        finished_after = time.monotonic() - killed_at
        record_ids = {str(row["id"]) for row in await db.fetch(IDS, uuid.UUID(tenant.account_id))}
    finally:
        await db.close()

    print(f"\nkilled mid-export: taken again after {taken_again_after:.1f} s, "
          f"SUCCEEDED after {finished_after:.1f} s")  # fmt: skip
    assert backup["status"] == "SUCCEEDED", (backup["failure_reason"], topology.logs())
    assert backup["attempts"] >= 2
    assert taken_again_after <= TAKEN_AGAIN_WITHIN
    _assert_one_file_and_no_scratch(topology, tenant, backup_id)
    _assert_complete(topology.storage_dir / backup["storage_key"], backup, record_ids)


async def _until_half_way(topology: Topology, tenant: Tenant, backup_id: str) -> None:
    """Until the worker has written some of the rows, and not all of them."""
    async with signed_in(topology.websocket_url, tenant.token) as socket:
        await socket.subscribe(PROGRESS, {"id": backup_id})
        async with asyncio.timeout(30):
            while True:
                message = await socket.receive(seconds=30)
                assert message["type"] == "next", message
                progress = message["payload"]["data"]["jobProgress"]
                assert progress["status"] in ("QUEUED", "RUNNING"), progress
                if 0 < (progress["rowsDone"] or 0) < ROWS:
                    return


async def _taken_again(db: asyncpg.Connection, backup_id: str) -> asyncpg.Record | None:
    """The row once a second attempt claimed it (or once finished: the asserts will tell)."""
    row = await db.fetchrow(ROW, uuid.UUID(backup_id))
    return row if row["attempts"] >= 2 or row["status"] in FINISHED else None


async def _finished(db: asyncpg.Connection, backup_id: str) -> asyncpg.Record | None:
    row = await db.fetchrow(ROW, uuid.UUID(backup_id))
    return row if row["status"] in FINISHED else None


def _assert_one_file_and_no_scratch(topology: Topology, tenant: Tenant, backup_id: str) -> None:
    stored = [path for path in topology.storage_dir.rglob("*") if path.is_file()]
    assert not [path for path in stored if path.name.startswith(".")], stored
    account_dir = topology.storage_dir / "accounts" / tenant.account_id
    expected = topology.storage_dir / backup_key(uuid.UUID(tenant.account_id), uuid.UUID(backup_id))
    assert [path for path in stored if path.is_relative_to(account_dir)] == [expected]
    # The killed worker's scratch file went when the new one started its attempt.
    assert not list(topology.work_dir.glob(f"{backup_id}*")), list(topology.work_dir.iterdir())


def _assert_complete(path: Path, backup: asyncpg.Record, record_ids: set[str]) -> None:
    manifest = verify(path)
    assert manifest.object_counts == {"contacts": ROWS}
    with path.open("rb") as file:
        assert hashlib.file_digest(file, "sha256").hexdigest() == backup["sha256"]
    with zipfile.ZipFile(path) as archive, archive.open("contacts.csv") as file:
        rows = csv.reader(io.TextIOWrapper(file, encoding="utf-8", newline=""))
        next(rows)
        assert {row[0] for row in rows} == record_ids
