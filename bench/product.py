"""Measure A, the product path, as a client sees it: `createBackup` posted to the GraphQL app in
process (the session read, the quota taken, the row and its job committed), the job sent through
the Redis broker to a real worker process exporting it; timed from the request to the job's
SUCCEEDED event."""

import json
import time
from dataclasses import dataclass
from uuid import UUID

import httpx

from bench.worker import WorkerProcess, until_succeeded
from models.accounts import Account
from services import jobs

CREATE_BACKUP = json.dumps({"query": "mutation { createBackup(confirm: true) { id } }"})


@dataclass(frozen=True)
class BackupResult:
    seconds: float
    rows: int
    size_bytes: int


async def measure(
    client: httpx.AsyncClient,
    token: str,
    account_id: UUID,
    worker: WorkerProcess,
    limit_seconds: float,
) -> BackupResult:
    # The manual quota allows one a day: each round reopens it, untimed.
    await Account.filter(id=account_id).update(next_manual_backup_at=None)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    response = await client.post("/graphql", content=CREATE_BACKUP, headers=headers)
    answer = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise RuntimeError(f"createBackup failed: {response.status_code} {response.text[:500]}")
    backup_id = UUID(answer["data"]["createBackup"]["id"])
    done = await until_succeeded(worker, jobs.EXPORT_BACKUP, backup_id, started + limit_seconds)
    seconds = time.perf_counter() - started
    return BackupResult(seconds, sum(done.object_counts.values()), done.size_bytes or 0)
