"""Fixtures: a real server on a real port, over the database chosen with `--db`.

The whole suite runs once per database (`make test` runs both). Each test makes its own
accounts, and every query is account-scoped, so tests share one database without interfering.
Helpers live in tests/support/.
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.settings import Settings
from tests.support.databases import throwaway_database
from tests.support.graphql import GraphQLClient
from tests.support.servers import Server, serving
from tests.support.settings import isolated_settings
from tests.support.storage import BACKUP_KEYS
from tests.support.tenants import MakeTenant, Tenant, create_tenant


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default=os.environ.get("TEST_DATABASE", "sqlite"),
        help="database the suite runs against (PostgreSQL: TEST_POSTGRES_URL or the local one)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
async def database_url(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if db_kind == "sqlite":
        yield f"sqlite://{tmp_path_factory.mktemp('db') / 'crm.sqlite3'}"
        return
    async with throwaway_database("crm_backup_test") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return isolated_settings(
        database_url=database_url,
        redis_url=None,
        storage_dir=tmp_path_factory.mktemp("storage"),
        work_dir=tmp_path_factory.mktemp("work"),
        secret_key="test-secret-key-that-is-long-enough-for-settings",
        backup_keys=BACKUP_KEYS,
        seed_demo=False,
        graphiql=True,
        introspection=True,
    )


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[Server]:
    """The app under uvicorn on a free local port, in the tests' event loop (so tests may also
    use the models directly, on the same database connections)."""
    async with serving(
        create_app(settings), header_timeout=settings.header_read_timeout_seconds
    ) as running:
        yield running


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def make_tenant(server: Server) -> MakeTenant:
    return create_tenant


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> Tenant:
    return await make_tenant()


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent
