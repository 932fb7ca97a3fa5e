"""Jobs in the production topology, followed from outside its processes: over the API, the
websocket and the database, as a client or an operator sees them."""

import asyncio
import csv
import hashlib
import io
import tempfile
import time
import uuid
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

import asyncpg
import pyotp

from services.backups.file_format import verify
from services.storage import Keyring, backup_key
from services.storage.sealed import open_chunks
from tests.support.graphql import GraphQLClient
from tests.support.polling import poll_until
from tests.support.records import create_records
from tests.support.storage import BACKUP_KEYS
from tests.support.topology import SignedUpAccount, Topology
from tests.support.two_factor import CONFIRM, REAUTH
from tests.support.websocket import signed_in

CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"
BACKUP = "query($id: ID!) { backup(id: $id) { status sizeBytes downloadUrl failureReason } }"
UPDATE = "mutation($records: [RecordUpdateInput!]!) { updateRecords(records: $records) { id } }"
AMOUNTS = """query { records(objectType: "deals", first: 100) {
  nodes { id properties(names: ["amount"]) { value } } } }"""
ENROLL = "mutation { startTotpEnrollment { secret } }"
PROGRESS = "subscription($id: ID!) { jobProgress(id: $id) { status rowsDone rowsTotal } }"
BACKUP_ROW = (
    "SELECT status, attempts, storage_key, sha256, failure_reason FROM backups WHERE id = $1"
)
FINISHED = ("SUCCEEDED", "FAILED")
PLAN_ENDS = ("PLANNED", "PLAN_FAILED")

# object type -> record id -> its non-blank values
Seeded = dict[str, dict[str, dict[str, str]]]


async def seed_over_api(
    topology: Topology, tenant: SignedUpAccount, rows_by_type: dict[str, list[dict[str, str]]]
) -> Seeded:
    """Records created through the API, by object type and id."""
    seeded = {}
    async with topology.graphql() as gql:
        for object_type, rows in rows_by_type.items():
            ids = await create_records(gql, tenant.token, object_type, rows)
            seeded[object_type] = dict(zip(ids, rows, strict=True))
    return seeded


async def assert_backup_downloads(
    topology: Topology, tenant: SignedUpAccount, backup_id: str, seeded: Seeded
) -> None:
    """The backup succeeded, downloads whole, and holds exactly the seeded records."""
    async with topology.graphql() as gql:
        backup = (await gql.data(BACKUP, {"id": backup_id}, tenant.token))["backup"]
        assert backup["status"] == "SUCCEEDED", backup["failureReason"]
        response = await gql.http.get(backup["downloadUrl"])
    assert response.status_code == 200
    assert len(response.content) == backup["sizeBytes"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        expected = sorted([*(f"{object_type}.csv" for object_type in seeded), "manifest.json"])
        assert sorted(archive.namelist()) == expected
        for object_type, records in seeded.items():
            assert non_blank_values(archive, f"{object_type}.csv") == records


def non_blank_values(archive: zipfile.ZipFile, name: str) -> dict[str, dict[str, str]]:
    """record id -> its non-blank values."""
    with archive.open(name) as file:
        rows = csv.DictReader(io.TextIOWrapper(file, encoding="utf-8", newline=""))
        return {row.pop("id"): {k: v for k, v in row.items() if v} for row in rows}


async def finished_over_api(
    gql: GraphQLClient,
    query: str,
    field: str,
    row_id: str,
    token: str,
    ends: Collection[str] = FINISHED,
) -> Any:
    """The job's row once its status is one of `ends` (SUCCEEDED or FAILED unless told), as
    the API shows it."""

    async def check() -> Any:
        row = (await gql.data(query, {"id": row_id}, token))[field]
        return row if row["status"] in ends else None

    return await poll_until(check, seconds=60)


PLANNED = """query($id: ID!) { restore(id: $id) { id status failureReason
  plan { recordsToChange } } }"""


async def planned_over_api(gql: GraphQLClient, plan_id: str, token: str) -> Any:
    """A restore's plan once a worker process computed it, as the API shows it."""
    plan = await finished_over_api(gql, PLANNED, "restore", plan_id, token, PLAN_ENDS)
    assert plan["status"] == "PLANNED", plan["failureReason"]
    return plan


async def deal_amounts(gql: GraphQLClient, token: str) -> dict[str, str]:
    """deal id -> amount, as the API shows them."""
    nodes = (await gql.data(AMOUNTS, token=token))["records"]["nodes"]
    return {node["id"]: node["properties"][0]["value"] for node in nodes}


async def deals_backed_up(
    gql: GraphQLClient, tenant: SignedUpAccount, deals: int
) -> tuple[dict[str, str], str]:
    """Deals with amounts, and a finished backup of them: (deal id -> amount, backup id)."""
    amounts = [{"amount": str(100 * (i + 1))} for i in range(deals)]
    await create_records(gql, tenant.token, "deals", amounts)
    backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
    backup = await finished_over_api(gql, BACKUP, "backup", backup_id, tenant.token)
    assert backup["status"] == "SUCCEEDED", backup["failureReason"]
    return await deal_amounts(gql, tenant.token), backup_id


async def edit_amounts(gql: GraphQLClient, token: str, ids: list[str]) -> None:
    records = [{"id": i, "properties": [{"name": "amount", "value": "1"}]} for i in ids]
    await gql.data(UPDATE, {"records": records}, token)


async def step_up_over_api(gql: GraphQLClient, token: str) -> None:
    """Two-factor set up and confirmed, then a step-up with the next step's code (one step of
    drift is allowed; the confirmed code itself cannot be used twice)."""
    secret = (await gql.data(ENROLL, token=token))["startTotpEnrollment"]["secret"]
    totp = pyotp.TOTP(secret)
    now = time.time()
    await gql.data(CONFIRM, {"code": totp.at(now)}, token)
    await gql.data(REAUTH, {"code": totp.at(now + totp.interval)}, token)


async def until_half_way(
    topology: Topology, tenant: SignedUpAccount, backup_id: str, rows: int
) -> None:
    """Until the worker has written some of the `rows`, and not all of them."""
    async with signed_in(topology.websocket_url, tenant.token) as socket:
        await socket.subscribe(PROGRESS, {"id": backup_id})
        async with asyncio.timeout(30):
            while True:
                message = await socket.receive(seconds=30)
                assert message["type"] == "next", message
                progress = message["payload"]["data"]["jobProgress"]
                assert progress["status"] in ("QUEUED", "RUNNING"), progress
                if 0 < (progress["rowsDone"] or 0) < rows:
                    return


async def taken_again(db: asyncpg.Connection, backup_id: str) -> asyncpg.Record | None:
    """The row once a second attempt claimed it (or once finished: the asserts will tell)."""
    row = await db.fetchrow(BACKUP_ROW, uuid.UUID(backup_id))
    return row if row["attempts"] >= 2 or row["status"] in FINISHED else None


async def finished_row(db: asyncpg.Connection, backup_id: str) -> asyncpg.Record | None:
    row = await db.fetchrow(BACKUP_ROW, uuid.UUID(backup_id))
    return row if row["status"] in FINISHED else None


def assert_one_file_and_no_scratch(
    topology: Topology, tenant: SignedUpAccount, backup_id: str
) -> None:
    stored = [path for path in topology.storage_dir.rglob("*") if path.is_file()]
    assert not [path for path in stored if path.name.startswith(".")], stored
    account_dir = topology.storage_dir / "accounts" / tenant.account_id
    expected = topology.storage_dir / backup_key(uuid.UUID(tenant.account_id), uuid.UUID(backup_id))
    assert [path for path in stored if path.is_relative_to(account_dir)] == [expected]
    # The killed worker's scratch file went when the new one started its attempt.
    assert not list(topology.work_dir.glob(f"{backup_id}*")), list(topology.work_dir.iterdir())


def assert_complete(
    sealed: Path, backup: asyncpg.Record, record_ids: set[str], contacts: int
) -> None:
    """The stored file opens with the processes' keys, and its plaintext verifies, matches
    its recorded checksum, and holds every contact once."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "backup.zip"
        with sealed.open("rb") as source, path.open("wb") as plain:
            for chunk in open_chunks(source, Keyring.parse(BACKUP_KEYS)):
                plain.write(chunk)
        _assert_plaintext_complete(path, backup, record_ids, contacts)


def _assert_plaintext_complete(
    path: Path, backup: asyncpg.Record, record_ids: set[str], contacts: int
) -> None:
    manifest = verify(path)
    assert manifest.object_counts == {"contacts": contacts}
    with path.open("rb") as file:
        assert hashlib.file_digest(file, "sha256").hexdigest() == backup["sha256"]
    with zipfile.ZipFile(path) as archive, archive.open("contacts.csv") as file:
        rows = csv.reader(io.TextIOWrapper(file, encoding="utf-8", newline=""))
        next(rows)
        assert {row[0] for row in rows} == record_ids
