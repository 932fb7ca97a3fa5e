"""`crm-backup backups list|create|download` and `crm-backup restores list`: an operator at the
server's command line, acting as one of an account's super admins (`--as EMAIL`), through the
same services as the API, audit-logged as that user. Lists are tab-separated, after a header
line, for scripts to read."""

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from server import runtime
from server.commands import run_with_database
from server.settings import Settings
from services import accounts, backups, jobs, restores, storage
from services.core.pagination import MAX_PAGE_SIZE
from services.core.viewer import Viewer

POLL_SECONDS = 1.0
UNFINISHED = (backups.BackupStatus.QUEUED, backups.BackupStatus.RUNNING)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["\t".join(header)]
    lines += ["\t".join("" if value is None else _text(value) for value in row) for row in rows]
    return "\n".join(lines)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _print_listing(
    args: argparse.Namespace,
    settings: Settings,
    header: Sequence[str],
    rows_of: Callable[[Viewer, int], Awaitable[Iterable[Sequence[Any]]]],
) -> int:
    async def work() -> str:
        viewer = await accounts.operator_acting_as(args.acting_as)
        return _table(header, await rows_of(viewer, args.first))

    print(run_with_database(settings, work))
    return 0


def list_backups(args: argparse.Namespace, settings: Settings) -> int:
    async def rows(viewer: Viewer, first: int) -> Iterable[Sequence[Any]]:
        page = await backups.list_backups(viewer, first, None)
        return [
            (b.id, b.status, b.trigger, b.snapshot_at, b.size_bytes, b.expires_at)
            for b in page.items
        ]

    header = ("ID", "STATUS", "TRIGGER", "SNAPSHOT_AT", "SIZE_BYTES", "EXPIRES_AT")
    return _print_listing(args, settings, header, rows)


def create_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Queues a backup for the workers (production); in embedded mode, where the jobs run in
    the server's own process, runs it here and now. Prints its id, and with --wait (always, in
    embedded mode) its final status."""
    runtime.configure(settings)
    if settings.embedded:
        # Sent nowhere: this process runs the job itself, below.
        jobs.register(jobs.EXPORT_BACKUP, lambda row_id: None)

    async def work() -> backups.Backup:
        viewer = await accounts.operator_acting_as(args.acting_as)
        backup = await backups.request_manual_backup(viewer, confirm=True)
        print(backup.id, flush=True)
        if settings.embedded:
            await backups.run_export(backup.id)
        while (args.wait or settings.embedded) and backup.status in UNFINISHED:
            await asyncio.sleep(POLL_SECONDS)
            backup = await backups.get_backup(viewer, backup.id)
        return backup

    backup = run_with_database(settings, work)
    if backup.status in UNFINISHED:
        return 0
    print(backup.status, flush=True)
    return 0 if backup.status == backups.BackupStatus.SUCCEEDED else 1


def download_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Writes the backup's ZIP (audit-logged as downloaded) and prints where."""
    runtime.configure(settings)

    async def work() -> Path:
        viewer = await accounts.operator_acting_as(args.acting_as)
        backup = await backups.get_backup(viewer, args.backup_id)
        # The API's own way: a download token, opened as a link would be.
        backup = await backups.open_download(backups.download_token(viewer, backup))
        path = args.output or Path(backups.download_name(backup))
        partial = path.with_name(path.name + ".part")
        with partial.open("wb") as file:
            async for chunk in storage.current().open_stream(backup.storage_key):
                file.write(chunk)
        os.replace(partial, path)
        return path

    print(run_with_database(settings, work))
    return 0


def list_restores(args: argparse.Namespace, settings: Settings) -> int:
    async def rows(viewer: Viewer, first: int) -> Iterable[Sequence[Any]]:
        page = await restores.list_restores(viewer, first, None)
        return [
            (r.id, r.kind, r.status, r.created_at, r.completed_at, ",".join(r.properties))
            for r in page.items
        ]

    header = ("ID", "KIND", "STATUS", "CREATED_AT", "COMPLETED_AT", "PROPERTIES")
    return _print_listing(args, settings, header, rows)


def _page_size(text: str) -> int:
    size = int(text)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise argparse.ArgumentTypeError(f"from 1 to {MAX_PAGE_SIZE}")
    return size


def _subcommand(
    group: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str, help: str
) -> argparse.ArgumentParser:
    command = group.add_parser(name, help=help)
    command.add_argument(
        "--as",
        dest="acting_as",
        required=True,
        metavar="EMAIL",
        help="the email of the account's super admin to act as (audit-logged as theirs)",
    )
    return command


def _group(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]", name: str, help: str
) -> "argparse._SubParsersAction[argparse.ArgumentParser]":
    group = commands.add_parser(name, help=help)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")


def _listing(
    group: "argparse._SubParsersAction[argparse.ArgumentParser]",
    help: str,
    run: Callable[[argparse.Namespace, Settings], int],
) -> None:
    listing = _subcommand(group, "list", help)
    listing.add_argument(
        "--first", type=_page_size, default=20, help=f"how many (1 to {MAX_PAGE_SIZE})"
    )
    listing.set_defaults(run=run)


def add_parsers(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    backup_commands = _group(commands, "backups", "list, create and download backups")
    _listing(backup_commands, "the newest backups, tab-separated", list_backups)
    create = _subcommand(backup_commands, "create", "request a manual backup; prints its id")
    create.add_argument("--wait", action="store_true", help="wait until it has finished")
    create.set_defaults(run=create_backup)
    download = _subcommand(backup_commands, "download", "write a backup's ZIP file")
    download.add_argument("backup_id")
    download.add_argument("--output", type=Path, help="the file to write (default: its name)")
    download.set_defaults(run=download_backup)

    restore_commands = _group(commands, "restores", "list restores")
    _listing(restore_commands, "the newest restores, plans and reverts", list_restores)
