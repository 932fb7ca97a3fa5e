"""`python -m bench`: seed, then for each N time the raw floor and a real backup, pages of records
through the API against their SQL, then a restore from that backup and an import of it as an
uploaded file, each against its own floor, and report."""

import argparse
import asyncio
import functools
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import asyncpg
import dramatiq
import httpx
from pydantic import SecretStr

from bench import comparisons, database, floor, imports, pages, product, report, restore, seed
from bench.pairs import Paired
from bench.sessions import session_token
from bench.worker import WorkerProcess
from models.accounts import Account, Role
from server import runtime
from server.graphql import graphql_app
from server.settings import Settings
from services import crm, events, storage
from services.backups import COMPRESS_LEVEL
from services.core import database as service_database

DEFAULT_RECORDS = 1_000_000
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
MEASURES = ("backup", "pages", "restore", "import", "compare")
BACKUP_TIMEOUT_SECONDS = 3600.0

R = TypeVar("R")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Time a real backup through the worker against the raw COPY-into-ZIP floor.",
    )
    parser.add_argument(
        "--records",
        type=int,
        nargs="+",
        default=[DEFAULT_RECORDS],
        metavar="N",
        help="live records to seed; several values (e.g. 100000 1000000) show memory against N",
    )
    parser.add_argument(
        "--database-url",
        help="an existing PostgreSQL database (default: a throwaway crm_backup_bench on the "
        "server of TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432)",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--keep", action="store_true", help="keep the seeded database (or account) afterwards"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure each floor and product this many times, alternating; each product round "
        "is paired with the floor round before it, and the best and the worst pair are shown",
    )
    parser.add_argument(
        "--measures",
        nargs="+",
        choices=MEASURES,
        default=list(MEASURES),
        help="the measures to run (default: all); without backup, one backup is still made "
        "(not measured) for the restore and the import to read; pages run once a round",
    )
    parser.add_argument("--timeout", type=float, default=BACKUP_TIMEOUT_SECONDS,
                        help="seconds one backup may take")  # fmt: skip
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.records) or args.rounds < 1:
        parser.error("--records and --rounds take positive numbers")
    return args


@dataclass(frozen=True)
class Results:
    backups: list[report.Row]
    pages: list[pages.PageRow]
    restores: list[restore.RestoreRow]
    imports: list[imports.ImportRow]
    comparisons: list[comparisons.CompareRow]


def main(argv: Sequence[str] | None = None) -> None:
    """Exits 0 whether or not the targets are met; a broken run exits non-zero."""
    results = asyncio.run(run(parse_args(argv)))
    verdicts = [
        *_section(results.backups, report.table, report.verdicts),
        *_section(results.pages, pages.table, pages.verdicts),
        *_section(results.restores, restore.table, restore.verdicts),
        *_section(results.imports, imports.table, imports.verdicts),
        *_section(results.comparisons, comparisons.table, comparisons.verdicts),
    ]
    print()
    for line in verdicts:
        print(line)


def _section(
    rows: list[R], table: Callable[[list[R]], str], judge: Callable[[list[R]], list[str]]
) -> list[str]:
    """Prints a measure's table and answers its verdicts; nothing for a measure not asked for
    (`--measures`), which has no rows."""
    if not rows:
        return []
    print()
    print(table(rows))
    return judge(rows)


async def run(args: argparse.Namespace) -> Results:
    with tempfile.TemporaryDirectory(prefix="crm-backup-bench-") as scratch:
        async with _database(args) as url:
            env = _service_env(url, args.redis_url, Path(scratch))
            database.migrate(env)
            await _describe(url)
            await service_database.connect(url)
            try:
                settings = _settings(env)
                runtime.configure(settings)
                return await _bench(url, args, env, settings, Path(scratch))
            finally:
                await events.bus().close()
                dramatiq.get_broker().close()
                await service_database.disconnect()


@asynccontextmanager
async def _database(args: argparse.Namespace) -> AsyncIterator[str]:
    if args.database_url:
        yield args.database_url
        return
    async with database.throwaway(args.keep) as url:
        yield url


def _service_env(url: str, redis_url: str, scratch: Path) -> dict[str, str]:
    """The environment of the worker and `crm-backup migrate`: production mode, local storage."""
    env = {key: value for key, value in os.environ.items() if key != "STORAGE_URL"}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        SECRET_KEY=secrets.token_urlsafe(48),
        BACKUP_KEYS=storage.new_entry("bench"),
        STORAGE_DIR=str(scratch / "storage"),
        WORK_DIR=str(scratch / "work"),
    )
    return env


def _settings(env: dict[str, str]) -> Settings:
    """This process's settings: the same as the worker's, so the job goes through its broker."""
    return Settings(
        database_url=env["DATABASE_URL"],
        redis_url=env["REDIS_URL"],
        secret_key=SecretStr(env["SECRET_KEY"]),
        backup_keys=SecretStr(env["BACKUP_KEYS"]),
        storage_dir=Path(env["STORAGE_DIR"]),
        work_dir=Path(env["WORK_DIR"]),
    )


async def _describe(url: str) -> None:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores, {memory_gb:.0f} GB · "
        f"Python {platform.python_version()} · PostgreSQL {await database.server_version(url)} · "
        f"deflate level {COMPRESS_LEVEL}",
        flush=True,
    )


async def _bench(
    url: str, args: argparse.Namespace, env: dict[str, str], settings: Settings, scratch: Path
) -> Results:
    account = await seed.create_bench_account()
    connection = await asyncpg.connect(database.driver_url(url))
    try:
        sizes = _Sizes(url, env, settings, scratch, args.rounds, args.timeout, account, connection)
        results = Results([], [], [], [], [])
        chosen = set(args.measures)
        app = graphql_app(settings)
        for n in sorted(set(args.records)):
            await sizes.grow(n)
            if "backup" in chosen:
                results.backups.append(await sizes.measure(n))
            elif chosen & {"restore", "import"}:
                await sizes.backup_only(n)
            if "pages" in chosen:
                # On the table as the backup read it, settled; before the restore rewrites it.
                for _ in range(args.rounds):
                    results.pages.extend(await _pages(url, settings, account, n))
            if "restore" in chosen:
                # From the backup just made of these N records.
                results.restores.append(
                    await restore.measure(url, account.id, env, scratch, args.timeout, args.rounds)
                )
                _say(f"N={n:,}: restore {results.restores[-1].restore_seconds:.2f} s{_load()}")
            if "import" in chosen:
                # The same backup, as an uploaded file.
                results.imports.append(
                    await imports.measure(url, account.id, env, scratch, args.timeout, args.rounds)
                )
                _say(f"N={n:,}: import {results.imports[-1].import_seconds:.2f} s{_load()}")
            if "compare" in chosen:
                # Two backups of its own, around known changes.
                setting = comparisons.Setting(url, account.id, env, app, scratch, args.timeout)
                results.comparisons.append(await comparisons.measure(setting, args.rounds))
                compared = results.comparisons[-1].rounds
                _say(f"N={n:,}: compare {min(compared.measured):.2f} s{_load()}")
        return results
    finally:
        await connection.close()
        if args.database_url and not args.keep:
            # Someone else's database: leave it as it was found.
            await Account.filter(id=account.id).delete()


@dataclass
class _Sizes:
    """Grows one account from one N to the next and measures each."""

    url: str
    env: dict[str, str]
    settings: Settings
    scratch: Path
    rounds: int
    limit_seconds: float
    account: seed.SeededAccount
    connection: asyncpg.Connection

    async def measure(self, n: int) -> report.Row:
        token = await session_token(self.account.id, Role.SUPER_ADMIN)
        transport = httpx.ASGITransport(app=graphql_app(self.settings))
        floors, backups, unencrypted, peaks = [], [], [], []
        # Alternating, so that anything else running on the machine hits all three alike. One
        # worker at a time, since two would share the queue; a fresh one per backup, so its
        # peak RSS is this N's alone. Encryption off first: the last backup, which the restore
        # reads, is then sealed.
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            backup_by = functools.partial(self._backup_and_peak, client, token, n)
            for round_number in range(1, self.rounds + 1):
                plain, _ = await backup_by(round_number, UNENCRYPTED_WORKER)
                unencrypted.append(plain)
                floors.append(await floor.measure(self.url, self.account.id, self._floor_zip))
                _say(f"N={n:,}: floor {floors[-1].seconds:.2f} s{_load()}")
                backup, peak = await backup_by(round_number, None)
                backups.append(backup)
                peaks.append(peak)
        for floor_round, backup_round in zip(floors, backups, strict=True):
            _check_rows(n, floor_round.rows, backup_round.rows)
        rounds = Paired([f.seconds for f in floors], [b.seconds for b in backups])
        best_floor = min(floors, key=lambda result: result.seconds)
        best_backup = min(backups, key=lambda result: result.seconds)
        best_unencrypted = min(unencrypted, key=lambda result: result.seconds)
        return report.Row(n, best_floor, best_backup, rounds, max(peaks), best_unencrypted)

    async def backup_only(self, n: int) -> None:
        """One backup, unmeasured, for the measures that read it."""
        token = await session_token(self.account.id, Role.SUPER_ADMIN)
        transport = httpx.ASGITransport(app=graphql_app(self.settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await self._backup_and_peak(client, token, n, 1, None)

    async def _backup_and_peak(
        self,
        client: httpx.AsyncClient,
        token: str,
        n: int,
        round_number: int,
        module: str | None,
    ) -> tuple[product.BackupResult, int]:
        """One backup, asked for through the API, by a fresh worker (importing `module` instead
        of the product's when given), and the worker's peak RSS."""
        what = "backup" if module is None else "backup unencrypted"
        log = self.scratch / f"worker-{n}-{round_number}{'' if module is None else '-plain'}.log"
        with WorkerProcess(self.env, log, module=module) as worker:
            await asyncio.to_thread(worker.wait_ready)
            result = await product.measure(
                client, token, self.account.id, worker, self.limit_seconds
            )
            _say(f"N={n:,}: {what} {result.seconds:.2f} s{_load()}")
            return result, worker.peak_rss_bytes()

    @property
    def _floor_zip(self) -> Path:
        return self.scratch / "floor.zip"

    async def grow(self, n: int) -> None:
        """Seeds the account up to `n` live records, then settles and warms the table."""
        seconds = await seed.add_records(self.connection, self.account, n - self.account.live)
        _say(f"N={n:,}: seeded up to {n:,} records in {seconds:.1f} s (not measured)")
        await database.prepare_for_reading(self.url)
        warm = await floor.warm_up(self.url, self.account.id)
        _say(f"N={n:,}: warm-up read in {warm:.1f} s")
        sampled = await _sample_values(self.account.id)
        _say(f"N={n:,}: property values sampled in {sampled:.1f} s (not measured)")


async def _sample_values(account_id: UUID) -> float:
    """Samples the account's property values as the scheduler's pass does once records were
    written (COPYed here, as an import's are), for filtered pages to read by; returns the
    seconds it took."""
    started = time.perf_counter()
    await crm.forget_value_samples(account_id)
    while await crm.sample_property_values():
        pass
    return time.perf_counter() - started


async def _pages(
    url: str, settings: Settings, account: seed.SeededAccount, n: int
) -> list[pages.PageRow]:
    measured = await pages.measure(database.driver_url(url), settings, account.id, n)
    _say(f"N={n:,}: pages {_page_times(measured)}{_load()}")
    return measured


# A worker storing backups as they are, for the encryption's cost.
UNENCRYPTED_WORKER = "bench.unencrypted_worker"


def _page_times(rows: list[pages.PageRow]) -> str:
    return ", ".join(f"{row.case} {row.api_p50:.1f} ms" for row in rows)


def _load() -> str:
    return f" (load average {os.getloadavg()[0]:.1f})"


def _check_rows(n: int, floor_rows: int, backup_rows: int) -> None:
    if floor_rows != n or backup_rows != n:
        raise RuntimeError(
            f"Expected {n:,} rows; the floor wrote {floor_rows:,}, the backup {backup_rows:,}"
        )


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
