"""The `crm-backup` command: serve the API, apply migrations, administer accounts, run workers."""

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import uvicorn
from pydantic import ValidationError
from tortoise.exceptions import DBConnectionError, OperationalError

from models.accounts import Account, Role, Tier
from server import admin, logs, metrics, operator_commands
from server.app import create_app
from server.commands import CommandFailed, run_with_database
from server.settings import Settings
from server.slow_clients import limit_concurrency, with_header_deadline
from services import accounts, storage
from services.core import database
from services.core.errors import DomainError
from services.core.ids import parse_id

PASSWORD_ENV = "CRM_BACKUP_PASSWORD"
# Exit codes: 1 for a command that failed, 2 for a bad command line or bad settings.
FAILED, BAD_SETUP = 1, 2


def fail(message: str, code: int = FAILED) -> NoReturn:
    print(f"crm-backup: {message}", file=sys.stderr)
    sys.exit(code)


def settings_problems(error: ValidationError) -> list[str]:
    """One line per problem, naming the environment variable to fix."""
    lines = []
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        name = str(problem["loc"][0]).upper() if problem["loc"] else ""
        lines.append(f"{name}: {message}" if name else message)
    return lines


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        print("crm-backup: invalid settings:", file=sys.stderr)
        for line in settings_problems(error):
            print(f"  {line}", file=sys.stderr)
        sys.exit(BAD_SETUP)


def ensure_sqlite_directory(database_url: str) -> None:
    """SQLite creates the database file but not its directory (./var on a fresh checkout)."""
    path = database_url.removeprefix("sqlite://").split("?", 1)[0]
    if database_url.startswith("sqlite://") and path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


# Subcommands. Each takes the parsed arguments and the settings, and returns the exit code.


def serve(args: argparse.Namespace, settings: Settings) -> int:
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        lifespan="on",
        # Its loggers write through the process's own handler, in its format (`server.logs`).
        log_config=None,
        limit_concurrency=limit_concurrency(settings.max_connections),
        http=with_header_deadline(settings.header_read_timeout_seconds),
    )
    server = uvicorn.Server(config)
    # Ctrl-C is how a foreground server is stopped: uvicorn shuts down, then re-raises it.
    with (
        contextlib.suppress(KeyboardInterrupt),
        asyncio.Runner(loop_factory=config.get_loop_factory()) as runner,
    ):
        runner.run(_serve_and_announce(server, settings))
    return 0


async def _serve_and_announce(server: uvicorn.Server, settings: Settings) -> None:
    announcing = asyncio.create_task(_announce(server, settings))
    try:
        await server.serve()
    finally:
        announcing.cancel()


async def _announce(server: uvicorn.Server, settings: Settings) -> None:
    """Once the server listens (and so the demo account exists), say where to go."""
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.05)
    # A wildcard address is not one a browser can open.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    base = f"http://{host}:{settings.port}"
    admin_page = f"{base}{admin.PATH}"
    print(f"Admin page at {admin_page}", flush=True)
    api = "GraphiQL" if settings.graphiql_enabled else "GraphQL API"
    print(f"{api} at {base}/graphql", flush=True)
    if settings.embedded and settings.seed_demo:
        sign_in = await accounts.demo.sign_in_details()
        if sign_in is not None:
            print(f"Sign in at {admin_page} with {sign_in.email} / {sign_in.password}", flush=True)


def migrate(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(database.migrate(settings.database_url))
    logging.getLogger("crm_backup").info("Migrations applied")
    return 0


def create_account(args: argparse.Namespace, settings: Settings) -> int:
    account = run_with_database(settings, lambda: accounts.create_account(args.name, args.tier))
    print(account.id)
    return 0


def read_password() -> str:
    """From the environment (scripts) or a prompt; never from argv, which others can read."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise CommandFailed(f"set {PASSWORD_ENV}, or run this in a terminal to be prompted")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != password:
        raise CommandFailed("the passwords differ")
    return password


def create_user(args: argparse.Namespace, settings: Settings) -> int:
    password = read_password()

    async def work() -> str:
        account = await Account.get_or_none(id=parse_id(args.account))
        if account is None:
            raise CommandFailed(f"no account with the id {args.account}")
        user = await accounts.create_user(account, args.email, args.role, password=password)
        return str(user.id)

    print(run_with_database(settings, work))
    return 0


def reset_two_factor(args: argparse.Namespace, settings: Settings) -> int:
    """For when no super admin can step up any more: the user sets two-factor up again."""
    user = run_with_database(settings, lambda: accounts.reset_two_factor_by_email(args.email))
    print(f"Two-factor authentication is off for {user.email}: they set it up again.")
    return 0


def rewrap_files(args: argparse.Namespace, settings: Settings) -> int:
    """After a new key is put first in BACKUP_KEYS: every stored file moves to it, so the old
    key can then be removed."""
    files = storage.EncryptedStorage(
        storage.from_settings(settings.storage_url, settings.storage_dir), settings.keyring
    )
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    tally = asyncio.run(files.rewrap_all(settings.work_dir, seal_plain=args.seal_unencrypted))
    for key, reason in tally.refused.items():
        print(f"refused {key}: {reason}", file=sys.stderr)
    done = ", ".join(f"{count} {outcome}" for outcome, count in sorted(tally.done.items()))
    print(f"Files under the key {settings.keyring.current_id!r}: {done or 'none stored'}.")
    if tally.refused:
        raise CommandFailed(f"{len(tally.refused)} files could not be re-wrapped (listed above)")
    return 0


def new_backup_key(args: argparse.Namespace, settings: Settings) -> int:
    print(storage.new_entry(args.key_id))
    return 0


def require_production(settings: Settings, command: str) -> None:
    if settings.embedded:
        fail(
            f"`crm-backup {command}` needs REDIS_URL (production mode); "
            "without it, `crm-backup serve` runs jobs and schedules itself",
            BAD_SETUP,
        )


def serve_metrics_apart(settings: Settings, command: str) -> None:
    if settings.metrics_port is None:
        return
    # A worker's jobs run in the processes it forks, which count only into that directory.
    if command == "worker" and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        fail("METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR for `crm-backup worker`", BAD_SETUP)
    metrics.serve_apart(settings.metrics_port, settings.host)


def worker(args: argparse.Namespace, settings: Settings) -> int:
    require_production(settings, "worker")
    serve_metrics_apart(settings, "worker")
    # Imported here, as in `scheduler`: only these two commands need the worker stack.
    from workers.cli import run_worker

    return run_worker("server.worker", args.processes, args.threads)


def scheduler(args: argparse.Namespace, settings: Settings) -> int:
    require_production(settings, "scheduler")
    from server import runtime
    from workers import scheduler as schedules

    runtime.configure(settings)
    serve_metrics_apart(settings, "scheduler")
    schedules.run(settings.database_url, settings.scheduler_interval_seconds)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="crm-backup",
        description="Back up a CRM's data and restore it. Settings come from the environment.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("serve", help="run the GraphQL API").set_defaults(run=serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=migrate)

    account = commands.add_parser("create-account", help="create an account; prints its id")
    account.add_argument("name")
    account.add_argument("--tier", type=Tier, choices=list(Tier), required=True)
    account.set_defaults(run=create_account)

    user = commands.add_parser(
        "create-user", help=f"create a user; the password comes from {PASSWORD_ENV} or a prompt"
    )
    user.add_argument("--account", required=True, help="the account's id")
    user.add_argument("--email", required=True)
    user.add_argument("--role", type=Role, choices=list(Role), required=True)
    user.set_defaults(run=create_user)

    users = commands.add_parser("users", help="the operator's last resort for users")
    user_commands = users.add_subparsers(dest="users_command", required=True, metavar="COMMAND")
    reset = user_commands.add_parser(
        "reset-two-factor",
        help="turn off a user's two-factor authentication and recovery codes (audit-logged)",
    )
    reset.add_argument("email")
    reset.set_defaults(run=reset_two_factor)

    operator_commands.add_parsers(commands)

    backup_keys = commands.add_parser("backup-keys", help="the keys stored files are encrypted by")
    key_commands = backup_keys.add_subparsers(
        dest="backup_keys_command", required=True, metavar="COMMAND"
    )
    new_key = key_commands.add_parser(
        "new", help="print a fresh id:key entry, to put first in BACKUP_KEYS or BACKUP_KEY_FILE"
    )
    new_key.add_argument("key_id", help="letters, digits, '.', '_' or '-' (e.g. 2027-01)")
    new_key.set_defaults(run=new_backup_key)
    rewrap = key_commands.add_parser(
        "rewrap", help="wrap every stored file's data key by the current (first) key"
    )
    rewrap.add_argument(
        "--seal-unencrypted",
        action="store_true",
        help="also encrypt the files stored before encryption at rest (once, after upgrading)",
    )
    rewrap.set_defaults(run=rewrap_files)

    jobs = commands.add_parser("worker", help="run job worker processes (production)")
    jobs.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    jobs.add_argument("--threads", type=int, default=8)
    jobs.set_defaults(run=worker)
    commands.add_parser("scheduler", help="run the schedule loop (production)").set_defaults(
        run=scheduler
    )
    return root


def main(argv: Sequence[str] | None = None) -> NoReturn:
    args = parser().parse_args(argv)
    settings = load_settings()
    # Before anything logs; worker processes inherit it when they fork.
    logs.configure(settings.log_format_chosen)
    ensure_sqlite_directory(settings.database_url)
    try:
        sys.exit(args.run(args, settings))
    except (CommandFailed, DomainError) as error:
        fail(str(error))
    except (DBConnectionError, OperationalError, OSError) as error:
        # The commands run here only do database I/O; uvicorn and dramatiq report their own.
        fail(f"database error: {error}")


if __name__ == "__main__":
    main()
