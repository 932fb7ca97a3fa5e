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

from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlparse, urlunparse

import pytest
import redis.asyncio as redis

from tests.support import external
from tests.support.databases import throwaway_database
from tests.support.redis_server import RedisServer, redis_server
from tests.support.topology import REDIS_DB, Topology, migrated, running


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
    async with throwaway_database("crm_backup_topology") as url:
        yield url


@pytest.fixture(scope="package")
async def topology(
    topology_database: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Topology]:
    cwd = tmp_path_factory.mktemp("topology")
    async with running(await migrated(cwd, topology_database, redis_url)) as up:
        yield up


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A redis-server of the module's own, that its tests may stop, freeze and start again."""
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
async def outage_topology(
    own_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Topology]:
    """The topology over a Redis of its own and a database of its own (the other topology's
    relay must not publish its record changes elsewhere)."""
    async with throwaway_database("crm_backup_outages") as database_url:
        cwd = tmp_path_factory.mktemp("outages")
        async with running(await migrated(cwd, database_url, own_redis.url)) as up:
            yield up
