"""The `crm-backup` command run for real in subprocesses, and the demo account it seeds."""

import random
import sqlite3
import stat
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from models.accounts import Account, RecoveryCode, Role, Tier, User
from models.crm import Association, ObjectType, Record
from server.cli import PASSWORD_ENV
from services.accounts import demo, passwords
from tests.support.audit import audited
from tests.support.cli import Serving, cli_env, crm_backup, succeeds
from tests.support.graphql import GraphQLClient
from tests.support.network import free_port
from tests.support.records import assert_valid_values
from tests.support.servers import Server
from tests.support.tenants import LOGIN, MakeTenant
from tests.support.tenants import PASSWORD as TENANT_PASSWORD
from tests.support.two_factor import enroll_with_recovery_codes

PASSWORD = "a long enough password"


@pytest.fixture
def sqlite_file(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A migrated SQLite database of its own, and the environment that points at it."""
    path = tmp_path / "data" / "x.sqlite3"
    env = cli_env(DATABASE_URL=f"sqlite://{path}")
    succeeds("migrate", cwd=tmp_path, env=env)
    return path, env


def test_bad_settings_exit_2_with_one_line_per_problem(tmp_path: Path) -> None:
    result = crm_backup(
        "migrate", cwd=tmp_path, env=cli_env(DATABASE_URL="mysql://db/crm", PORT="http")
    )
    assert result.returncode == 2
    assert "  DATABASE_URL: must start with sqlite:// or postgres://\n" in result.stderr
    assert "  PORT: " in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_need_a_secret_key(tmp_path: Path) -> None:
    result = crm_backup("migrate", cwd=tmp_path, env=cli_env(REDIS_URL="redis://127.0.0.1:1/0"))
    assert result.returncode == 2
    assert "SECRET_KEY is required when REDIS_URL is set" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_then_create_account_and_user(
    tmp_path: Path, sqlite_file: tuple[Path, dict[str, str]]
) -> None:
    path, env = sqlite_file
    account_id = succeeds(
        "create-account", "Acme Ltd", "--tier", "PROFESSIONAL", cwd=tmp_path, env=env
    )
    user_id = succeeds(
        "create-user",
        "--account",
        account_id,
        "--email",
        "Owner@Acme.example",
        "--role",
        "SUPER_ADMIN",
        cwd=tmp_path,
        env=env | {PASSWORD_ENV: PASSWORD},
    )

    with sqlite3.connect(path) as db:
        account = db.execute("SELECT name, tier FROM accounts WHERE id = ?", (account_id,))
        assert account.fetchall() == [("Acme Ltd", "PROFESSIONAL")]
        user = db.execute(
            "SELECT account_id, email, role, password_hash FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        standard_types = db.execute(
            "SELECT count(*) FROM object_types WHERE account_id = ?", (account_id,)
        ).fetchone()[0]
    assert user[:3] == (account_id, "owner@acme.example", "SUPER_ADMIN")
    assert passwords.verify_password(user[3], PASSWORD)
    assert standard_types == len(demo.COUNTS)


def test_create_user_refusals_are_one_line(
    tmp_path: Path, sqlite_file: tuple[Path, dict[str, str]]
) -> None:
    _, env = sqlite_file
    account_id = succeeds("create-account", "Acme", "--tier", "STARTER", cwd=tmp_path, env=env)
    user = ["create-user", "--account", account_id, "--email", "a@acme.example", "--role", "ADMIN"]

    no_password = crm_backup(*user, cwd=tmp_path, env=env)
    weak = crm_backup(*user, cwd=tmp_path, env=env | {PASSWORD_ENV: "short"})
    unknown = user.copy()
    unknown[2] = str(uuid.uuid4())
    no_account = crm_backup(*unknown, cwd=tmp_path, env=env | {PASSWORD_ENV: PASSWORD})

    assert no_password.returncode == weak.returncode == no_account.returncode == 1
    assert f"set {PASSWORD_ENV}" in no_password.stderr
    assert "at least 10 characters" in weak.stderr
    assert "no account with the id" in no_account.stderr
    for result in (no_password, weak, no_account):
        assert "Traceback" not in result.stderr


def test_unmigrated_database_is_reported_without_traceback(tmp_path: Path) -> None:
    env = cli_env(DATABASE_URL=f"sqlite://{tmp_path / 'empty.sqlite3'}")
    result = crm_backup("create-account", "Acme", "--tier", "STARTER", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "database error" in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_needs_production_mode(tmp_path: Path) -> None:
    result = crm_backup("worker", cwd=tmp_path, env=cli_env())
    assert result.returncode == 2
    assert "needs REDIS_URL" in result.stderr


async def test_create_account_on_the_suite_database(
    tmp_path: Path, server: Server, database_url: str
) -> None:
    """The same command against the database the suite runs on (PostgreSQL with --db postgres)."""
    name = f"Cli {uuid.uuid4().hex[:8]}"
    env = cli_env(DATABASE_URL=database_url)
    account_id = succeeds("create-account", name, "--tier", "ENTERPRISE", cwd=tmp_path, env=env)
    account = await Account.get(id=account_id)
    assert (account.name, account.tier) == (name, Tier.ENTERPRISE)


async def test_the_operator_resets_a_users_two_factor(
    tmp_path: Path, gql: GraphQLClient, make_tenant: MakeTenant, database_url: str
) -> None:
    tenant = await make_tenant()
    user = tenant.users[Role.SUPER_ADMIN]
    await enroll_with_recovery_codes(gql, tenant.super_admin)
    env = cli_env(DATABASE_URL=database_url)

    said = succeeds("users", "reset-two-factor", user.email.upper(), cwd=tmp_path, env=env)
    unknown = crm_backup("users", "reset-two-factor", "nobody@example.com", cwd=tmp_path, env=env)

    assert said == f"Two-factor authentication is off for {user.email}: they set it up again."
    await user.refresh_from_db()
    assert user.totp_secret_encrypted is None
    assert await RecoveryCode.filter(user_id=user.id).count() == 0
    [event] = await audited("TOTP_RESET", str(user.id))
    assert (event.account_id, event.actor_id) == (tenant.account.id, None)
    assert event.details == {"email": user.email, "by": "operator (command line)"}
    assert unknown.returncode == 1
    assert "crm-backup: No user with the email 'nobody@example.com'.\n" in unknown.stderr
    assert "Traceback" not in unknown.stderr


# The demo account.


def test_serve_seeds_the_demo_on_first_start_and_shows_its_sign_in(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    first = Serving(tmp_path, port)
    try:
        assert (
            first.line_starting("Admin page at") == f"Admin page at http://127.0.0.1:{port}/admin"
        )
        assert first.line_starting("GraphiQL at") == f"GraphiQL at {url}"
        sign_in = first.line_starting("Sign in at")
        admin_page = f"http://127.0.0.1:{port}/admin"
        email, password = sign_in.removeprefix(f"Sign in at {admin_page} with ").split(" / ")
        assert email == demo.ADMIN_EMAIL
        login = httpx.post(
            url,
            json={"query": LOGIN, "variables": {"email": email, "password": password}},
            timeout=30,
        )
        assert login.json()["data"]["login"]["token"]
        # Migrating closes its connections without announcing a shutdown.
        assert not [line for line in first.taken if "shutdown" in line.lower()]
    finally:
        assert first.stop() == 0

    credentials = tmp_path / demo.CREDENTIALS_PATH
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    second = Serving(tmp_path, port)
    try:
        assert second.line_starting("Sign in at") == sign_in
    finally:
        assert second.stop() == 0


def test_demo_data_is_deterministic() -> None:
    assert demo.generate(random.Random(demo.SEED)) == demo.generate(random.Random(demo.SEED))


async def test_seed_fills_every_object_type_with_valid_values(server: Server) -> None:
    email = f"demo-{uuid.uuid4().hex[:8]}@demo.example"
    account = await demo.seed("demo password 123", email=email)

    assert (account.name, account.tier) == (demo.ACCOUNT_NAME, Tier.ENTERPRISE)
    admin = await User.get(email=email)
    assert (admin.account_id, admin.role) == (account.id, Role.SUPER_ADMIN)
    assert passwords.verify_password(admin.password_hash, "demo password 123")

    types = await ObjectType.filter(account=account).prefetch_related("properties")
    records = await Record.filter(account=account)
    by_type = {object_type.id: object_type for object_type in types}
    counts = Counter(by_type[record.object_type_id].name for record in records)
    assert counts == Counter(demo.COUNTS)
    for object_type in types:
        of_type = [record for record in records if record.object_type_id == object_type.id]
        assert_valid_values(object_type, of_type)
    assert sum(record.deleted_at is not None for record in records) == demo.RECYCLED

    type_of = {record.id: by_type[record.object_type_id].name for record in records}
    links = await Association.filter(account=account)
    pairs = {(type_of[link.from_record_id], type_of[link.to_record_id]) for link in links}
    assert pairs == {("contacts", "companies"), ("deals", "contacts")}


async def test_seed_once_leaves_a_database_with_accounts_alone(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    accounts = await Account.all().count()
    await demo.seed_once()
    assert await Account.all().count() == accounts
    assert not (tmp_path / demo.CREDENTIALS_PATH).exists()


async def test_sign_in_details_only_while_they_work(
    make_tenant: MakeTenant, tmp_path: Path
) -> None:
    email = (await make_tenant(passwords=True)).users[Role.ADMIN].email
    path = tmp_path / "credentials.txt"
    assert await demo.sign_in_details(path) is None

    demo.save_credentials(demo.SignIn(email, TENANT_PASSWORD), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert await demo.sign_in_details(path) == demo.SignIn(email, TENANT_PASSWORD)

    demo.save_credentials(demo.SignIn(email, "an outdated password"), path)
    assert await demo.sign_in_details(path) is None
