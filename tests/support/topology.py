"""The production topology, all real processes: `crm-backup serve`, `worker` and `scheduler`
over PostgreSQL and Redis, as `docker-compose.yml` runs them; and ways in for the tests."""

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from server.cli import PASSWORD_ENV
from tests.support.cli import cli_env
from tests.support.databases import asyncpg_url
from tests.support.graphql import GraphQLClient, graphql_client
from tests.support.network import free_port
from tests.support.processes import Process, run
from tests.support.storage import BACKUP_KEYS
from tests.support.tenants import LOGIN
from workers.cli import READY_LINE

PASSWORD = "a long enough password"
SECRET_KEY = "topology-secret-key-that-is-long-enough-for-settings"
# The suite's own number by default; another one lets two checkouts run the topology at once.
REDIS_DB = int(os.environ.get("TEST_TOPOLOGY_REDIS_DB", "14"))
# Short, so that a job whose worker was killed is taken again in seconds.
JOB_LEASE_SECONDS = 3
SCHEDULER_INTERVAL_SECONDS = 1


@dataclass(frozen=True)
class SignedUpAccount:
    """An account made with the CLI, and its super admin signed in over HTTP."""

    account_id: str
    user_id: str
    token: str


@dataclass
class Topology:
    """The running processes, the places they share, and ways in for the tests."""

    cwd: Path
    env: dict[str, str]
    url: str
    database_url: str
    processes: list[Process] = field(default_factory=list)
    # Where the first worker serves its own /metrics (METRICS_PORT).
    worker_metrics_url: str = ""

    @property
    def storage_dir(self) -> Path:
        return Path(self.env["STORAGE_DIR"])

    @property
    def work_dir(self) -> Path:
        return Path(self.env["WORK_DIR"])

    @property
    def websocket_url(self) -> str:
        return f"{self.url.replace('http://', 'ws://')}/graphql"

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> Process:
        process = Process(name, list(args), cwd=self.cwd, env=self.env | (env or {}))
        self.processes.append(process)
        return process

    @contextlib.asynccontextmanager
    async def another_api(self, name: str) -> AsyncIterator[str]:
        """Another API replica, on a port of its own, from when it answers until the block
        ends; its URL."""
        port = free_port()
        api = self.start(name, "serve", env={"PORT": str(port)})
        try:
            url = f"http://127.0.0.1:{port}"
            await until_healthy(self, api, url)
            yield url
        finally:
            api.stop()

    def start_worker(self, name: str = "worker", env: dict[str, str] | None = None) -> Process:
        return self.start(name, "worker", "--processes", "1", "--threads", "2", env=env)

    def kill_workers(self) -> None:
        for process in self.processes:
            if process.name.startswith("worker") and process.alive():
                process.kill()

    async def sign_up(self) -> SignedUpAccount:
        """An Enterprise account and its super admin, made with the CLI, signed in over HTTP."""
        account_id = await run(
            "create-account", f"Topology {uuid.uuid4().hex[:6]}", "--tier", "ENTERPRISE",
            cwd=self.cwd, env=self.env,
        )  # fmt: skip
        email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
        user_id = await run(
            "create-user", "--account", account_id, "--email", email, "--role", "SUPER_ADMIN",
            cwd=self.cwd, env=self.env | {PASSWORD_ENV: PASSWORD},
        )  # fmt: skip
        async with graphql_client(self.url) as gql:
            login = await gql.data(LOGIN, {"email": email, "password": PASSWORD})
        return SignedUpAccount(account_id, user_id, login["login"]["token"])

    def graphql(self) -> contextlib.AbstractAsyncContextManager[GraphQLClient]:
        """`async with topology.graphql() as gql`: a GraphQLClient of the API process."""
        return graphql_client(self.url)

    async def connect(self) -> asyncpg.Connection:
        """A direct connection to the topology's database, for seeding and watching rows."""
        return await asyncpg.connect(asyncpg_url(self.database_url))

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in self.processes)


async def until_worker_ready(topology: Topology, worker: Process) -> float:
    """Until the worker process logged that it consumes (dramatiq's line); the monotonic time
    then. Fails the test if it stops first."""
    async with asyncio.timeout(60):
        # Polling is the point: a process's start-up is announced only in its log.
        while READY_LINE not in worker.output():
            if not worker.alive():
                pytest.fail(f"The worker stopped during start-up:\n{topology.logs()}")
            await asyncio.sleep(0.05)
    return time.monotonic()


async def until_healthy(topology: Topology, api: Process, url: str) -> None:
    """Until the API process at `url` answers /health; fails the test if it stops first."""
    async with httpx.AsyncClient(base_url=url, timeout=2) as http:
        async with asyncio.timeout(30):
            while True:
                if not api.alive():
                    pytest.fail(f"The API stopped during start-up:\n{topology.logs()}")
                try:
                    if (await http.get("/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)


async def migrated(cwd: Path, database_url: str, redis_url: str) -> Topology:
    """A topology's settings over these services, its database migrated as a release does
    (production never migrates on start-up); nothing runs yet."""
    port = free_port()
    # Every process counts there, and the API's /metrics adds them up.
    (cwd / "metrics").mkdir()
    env = cli_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET_KEY,
        BACKUP_KEYS=BACKUP_KEYS,
        STORAGE_DIR=str(cwd / "storage"),
        WORK_DIR=str(cwd / "work"),
        HOST="127.0.0.1",
        PORT=str(port),
        GRAPHIQL="false",
        JOB_LEASE_SECONDS=str(JOB_LEASE_SECONDS),
        SCHEDULER_INTERVAL_SECONDS=str(SCHEDULER_INTERVAL_SECONDS),
        PROMETHEUS_MULTIPROC_DIR=str(cwd / "metrics"),
    )
    await run("migrate", cwd=cwd, env=env)
    return Topology(cwd, env, f"http://127.0.0.1:{port}", database_url)


@contextlib.asynccontextmanager
async def running(topology: Topology) -> AsyncIterator[Topology]:
    """The API, a worker and the scheduler, stopped (the last started first) at the end."""
    try:
        api = topology.start("api", "serve")
        metrics_port = free_port()
        topology.worker_metrics_url = f"http://127.0.0.1:{metrics_port}"
        topology.start_worker(env={"METRICS_PORT": str(metrics_port)})
        topology.start("scheduler", "scheduler")
        await until_healthy(topology, api, topology.url)
        yield topology
    finally:
        for process in reversed(topology.processes):
            process.stop()
