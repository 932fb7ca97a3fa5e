"""What the worker process counts shows in one scrape of the API process (they share
PROMETHEUS_MULTIPROC_DIR) and at the worker's own endpoint (METRICS_PORT); the worker's log
lines are JSON, each naming its job and account."""

import json

import httpx

from tests.support.metrics import increase, parse, scrape
from tests.support.topology import Topology
from tests.support.topology_jobs import finished_over_api, seed_over_api

CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"
BACKUP = "query($id: ID!) { backup(id: $id) { status } }"
ATTEMPTS = "crm_backup_job_attempt_duration_seconds_count"
CONTACTS = [{"email": f"m{i}@example.com"} for i in range(7)]


async def test_one_scrape_of_the_api_shows_the_workers_jobs(topology: Topology) -> None:
    tenant = await topology.sign_up()
    await seed_over_api(topology, tenant, {"contacts": CONTACTS})
    async with httpx.AsyncClient(base_url=topology.url, timeout=10) as http:
        before = await scrape(http)
        async with topology.graphql() as gql:
            backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
            await finished_over_api(gql, BACKUP, "backup", backup_id, tenant.token)
        after = await scrape(http)
    async with httpx.AsyncClient(base_url=topology.worker_metrics_url, timeout=10) as http:
        apart = parse((await http.get("/metrics")).text)

    done = {"kind": "export_backup", "outcome": "succeeded"}
    assert increase(before, after, ATTEMPTS, **done) == 1
    assert increase(before, after, "crm_backup_job_rows_total", **done) == len(CONTACTS)
    assert apart.value(ATTEMPTS, **done) == after.value(ATTEMPTS, **done)

    worker = next(process for process in topology.processes if process.name == "worker")
    lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
    job = [line for line in lines if line.get("job_id") == backup_id]
    assert {line["account_id"] for line in job} == {tenant.account_id}
    assert "started" in job[0]["message"]
    assert " succeeded in " in job[-1]["message"]
