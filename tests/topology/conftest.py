"""The production topology, all real processes: `crm-backup serve`, `worker` and `scheduler`
over PostgreSQL and Redis, as `docker-compose.yml` runs them.

Production means PostgreSQL and Redis whatever `--db` says, so these tests run once, in the
`--db postgres` run (`make test` runs both), and skip in the SQLite one. They use a PostgreSQL
database of their own, migrated by `crm-backup migrate` as a release would and dropped at the end,
rather than the suite's: the processes never share the test process's connections anyway, and
the large account seeded to slow an export down stays out of the other tests' way. Redis gets a
database number of its own, emptied first.

The job lease and the scheduler interval are short here (`JOB_LEASE_SECONDS`,
`SCHEDULER_INTERVAL_SECONDS`), so that a job whose worker was killed is taken again in seconds.
"""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import asyncpg
import httpx
import pytest
import redis.asyncio as redis

from server.cli import PASSWORD_ENV
from tests import external
from tests.conftest import GraphQLClient
from tests.polling import poll_until
from tests.server.test_cli import cli_env
from tests.workers.processes import Process, run

REDIS_DB = 14
JOB_LEASE_SECONDS = 3
SCHEDULER_INTERVAL_SECONDS = 1
PASSWORD = "a long enough password"
SECRET_KEY = "topology-secret-key-that-is-long-enough-for-settings"
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }"


@pytest.fixture(scope="package", autouse=True)
def _production_runs_on_postgres(db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("production topology runs on PostgreSQL")


@pytest.fixture(autouse=True)
def _process_logs_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the processes' output after each test: pytest shows it only when the test failed."""
    yield
    if "topology" in request.fixturenames:
        print(request.getfixturevalue("topology").logs())


@pytest.fixture(scope="package")
async def redis_url() -> str:
    """A Redis database of the topology's own, empty."""
    external.require("Redis", external.redis_url())
    url = urlunparse(urlparse(external.redis_url())._replace(path=f"/{REDIS_DB}"))
    client = redis.Redis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return url


@pytest.fixture(scope="package")
async def topology_database() -> AsyncIterator[str]:
    """A PostgreSQL database of the topology's own, dropped at the end."""
    external.require("PostgreSQL", external.postgres_url())
    name = f"crm_backup_topology_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_url(external.postgres_url()))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{external.postgres_url().rsplit('/', 1)[0]}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def until_subscribed_in_redis(redis_url: str, channel: str) -> None:
    """The API process has subscribed to the channel in Redis: nothing published from now on
    can be missed (the websocket protocol does not acknowledge a subscription)."""
    client = redis.Redis.from_url(redis_url)

    async def subscribed() -> bool | None:
        return dict(await client.pubsub_numsub(channel)).get(channel.encode(), 0) > 0 or None

    try:
        await poll_until(subscribed, seconds=10)
    finally:
        await client.aclose()


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Tenant:
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

    @property
    def storage_dir(self) -> Path:
        return Path(self.env["STORAGE_DIR"])

    @property
    def work_dir(self) -> Path:
        return Path(self.env["WORK_DIR"])

    @property
    def websocket_url(self) -> str:
        return f"{self.url.replace('http://', 'ws://')}/graphql"

    def start(self, name: str, *args: str) -> Process:
        process = Process(name, list(args), cwd=self.cwd, env=self.env)
        self.processes.append(process)
        return process

    def start_worker(self, name: str = "worker") -> Process:
        return self.start(name, "worker", "--processes", "1", "--threads", "2")

    def kill_workers(self) -> None:
        for process in self.processes:
            if process.name.startswith("worker") and process.alive():
                process.kill()

    async def sign_up(self) -> Tenant:
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
        async with self.graphql() as gql:
            login = await gql.data(LOGIN, {"e": email, "p": PASSWORD})
        return Tenant(account_id, user_id, login["login"]["token"])

    def graphql(self) -> "_GraphQLSession":
        return _GraphQLSession(self.url)

    async def connect(self) -> asyncpg.Connection:
        """A direct connection to the topology's database, for seeding and watching rows."""
        return await asyncpg.connect(_asyncpg_url(self.database_url))

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in self.processes)


class _GraphQLSession:
    """`async with topology.graphql() as gql`: a GraphQLClient over its own HTTP client."""

    def __init__(self, url: str) -> None:
        self._http = httpx.AsyncClient(base_url=url, timeout=30)

    async def __aenter__(self) -> GraphQLClient:
        return GraphQLClient(await self._http.__aenter__())

    async def __aexit__(self, *exc: Any) -> None:
        await self._http.__aexit__(*exc)


@pytest.fixture(scope="package")
async def topology(
    topology_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Topology]:
    cwd = tmp_path_factory.mktemp("topology")
    port = _free_port()
    env = cli_env(
        DATABASE_URL=topology_database,
        REDIS_URL=redis_url,
        SECRET_KEY=SECRET_KEY,
        STORAGE_DIR=str(cwd / "storage"),
        WORK_DIR=str(cwd / "work"),
        HOST="127.0.0.1",
        PORT=str(port),
        GRAPHIQL="false",
        JOB_LEASE_SECONDS=str(JOB_LEASE_SECONDS),
        SCHEDULER_INTERVAL_SECONDS=str(SCHEDULER_INTERVAL_SECONDS),
    )
    # The release step, before anything serves: production never migrates on start-up.
    await run("migrate", cwd=cwd, env=env)
    topology = Topology(cwd, env, f"http://127.0.0.1:{port}", topology_database)
    try:
        api = topology.start("api", "serve")
        topology.start_worker()
        topology.start("scheduler", "scheduler")
        await _until_healthy(topology, api)
        yield topology
    finally:
        for process in reversed(topology.processes):
            process.stop()


async def _until_healthy(topology: Topology, api: Process) -> None:
    async with httpx.AsyncClient(base_url=topology.url, timeout=2) as http:
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
