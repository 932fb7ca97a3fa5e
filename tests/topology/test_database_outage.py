"""The production topology through an outage of its PostgreSQL (a cluster of the test's own,
stopped at once and started again): GraphQL answers SERVICE_UNAVAILABLE with 503 and
Retry-After meanwhile, and afterwards the API, the worker and the scheduler carry on without
a restart."""

import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.support.polling import poll_until
from tests.support.postgres_cluster import PostgresCluster, postgres_cluster
from tests.support.redis_server import RedisServer
from tests.support.topology import Topology, migrated, running
from tests.support.topology_jobs import BACKUP, CREATE_BACKUP, finished_over_api

ME = "query { me { user { email } } }"
LOGIN = """mutation { login(email: "nobody@example.com", password: "not the password") {
  token } }"""
# The pool's next connection after PostgreSQL is back; measured 0.2 s.
RECOVERED_WITHIN_SECONDS = 10


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with postgres_cluster() as running_cluster:
        yield running_cluster


@pytest.fixture(scope="module")
async def database_topology(
    cluster: PostgresCluster, own_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Topology]:
    cwd = tmp_path_factory.mktemp("database-outage")
    async with running(await migrated(cwd, cluster.url, own_redis.url)) as up:
        yield up


async def _answer(http: httpx.AsyncClient, query: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post("/graphql", json={"query": query}, headers=headers)


async def test_graphql_answers_service_unavailable_while_the_database_is_down(
    database_topology: Topology, cluster: PostgresCluster
) -> None:
    topology = database_topology
    tenant = await topology.sign_up()
    async with httpx.AsyncClient(base_url=topology.url, timeout=30) as http:
        cluster.stop()
        try:
            answers = [await _answer(http, ME, tenant.token), await _answer(http, LOGIN, None)]
        finally:
            cluster.start()
        back_at = time.monotonic()

        async def answered() -> bool | None:
            return (await _answer(http, ME, tenant.token)).status_code == 200 or None

        await poll_until(answered, seconds=RECOVERED_WITHIN_SECONDS)
        recovered_after = time.monotonic() - back_at

    print(f"\nPostgreSQL back: the API answered again after {recovered_after:.1f} s")
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", error
    # The worker and the scheduler carried on: a backup runs through them as before.
    async with topology.graphql() as gql:
        backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
        backup = await finished_over_api(gql, BACKUP, "backup", backup_id, tenant.token)
    assert backup["status"] == "SUCCEEDED", backup["failureReason"]
    assert all(process.alive() for process in topology.processes), topology.logs()
