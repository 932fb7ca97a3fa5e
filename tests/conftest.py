"""Fixtures: a real server on a real port, over the database chosen with `--db`.

The whole suite runs once per database (`make test` runs both). Each test makes its own
accounts, and every query is account-scoped, so tests share one database without interfering.
"""

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn

from models.accounts import Account, AuthMethod, Role, Tier, User
from server.app import create_app
from server.settings import Settings
from services.accounts import sessions as auth
from services.accounts.accounts import create_account, create_user
from tests import external

PASSWORD = "correct horse battery"


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
    external.require("PostgreSQL", external.postgres_url())
    # A database of its own, so a developer's data is never touched, dropped at the end.
    name = f"crm_backup_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(external.postgres_url().replace("postgres://", "postgresql://"))
    await admin.execute(f'CREATE DATABASE "{name}"')
    base = external.postgres_url().rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=None,
        storage_dir=tmp_path_factory.mktemp("storage"),
        work_dir=tmp_path_factory.mktemp("work"),
        secret_key="test-secret-key-that-is-long-enough-for-settings",
        seed_demo=False,
        graphiql=True,
        introspection=True,
        _env_file=None,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def websocket_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://")


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[Server]:
    """The app under uvicorn on a free local port, in the tests' event loop (so tests may also
    use the models directly, on the same database connections)."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    while not instance.started:
        if task.done():
            task.result()
            pytest.fail("The server stopped during start-up")
        await asyncio.sleep(0.02)
    yield Server(url=f"http://127.0.0.1:{port}")
    instance.should_exit = True
    await task


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


class GraphQLClient:
    """Posts operations to /graphql over real HTTP."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.headers["content-type"].startswith("application/json"), response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The operation's data; fails the test on any error."""
        body = await self.raw(query, variables, token)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> str:
        """The code of the operation's one error."""
        body = await self.raw(query, variables, token)
        assert body.get("errors"), f"expected an error, got {body}"
        codes = {error["extensions"]["code"] for error in body["errors"]}
        assert len(codes) == 1, body["errors"]
        return codes.pop()


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@dataclass
class Tenant:
    """An account with one signed-in user per role."""

    account: Account
    users: dict[Role, User]
    tokens: dict[Role, str]

    @property
    def super_admin(self) -> str:
        return self.tokens[Role.SUPER_ADMIN]

    @property
    def admin(self) -> str:
        return self.tokens[Role.ADMIN]

    @property
    def member(self) -> str:
        return self.tokens[Role.MEMBER]


MakeTenant = Callable[..., Awaitable[Tenant]]


@pytest.fixture
def make_tenant(server: Server) -> MakeTenant:
    async def make(tier: Tier = Tier.ENTERPRISE, *, passwords: bool = False) -> Tenant:
        """Users get PASSWORD only when asked: Argon2 is slow on purpose."""
        account = await create_account(f"Account {uuid.uuid4().hex[:6]}", tier)
        users: dict[Role, User] = {}
        tokens: dict[Role, str] = {}
        for role in Role:
            email = f"{role.value.lower()}-{uuid.uuid4().hex[:10]}@example.com"
            password = PASSWORD if passwords else None
            users[role] = await create_user(account, email, role, password=password)
            tokens[role] = await auth.start_session(users[role], AuthMethod.PASSWORD)
        return Tenant(account=account, users=users, tokens=tokens)

    return make


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> Tenant:
    return await make_tenant()


@pytest.fixture
def repo_root() -> Iterator[Path]:
    yield Path(__file__).resolve().parent.parent
