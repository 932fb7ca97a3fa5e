"""Files that processes killed mid-work leave behind: in the storage (a store that never got
its rename) and in the work dir (scratch copies of exports, imports and restores).

A file counts as left behind once nothing has written it for longer than a live process could
hold it unwritten: a storage temporary for a job lease, a work-dir file for the longest a job's
attempt may run (an import reads its copy for that long without writing it)."""

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)


def remove_unchanged_since(paths: Iterable[Path], older_than: datetime) -> int:
    """Delete the files among `paths` unchanged since before `older_than`; how many. Changed
    by the inode's ctime, not its mtime: a file hard-linked into place (storage does so) keeps
    the mtime of its source, however old, while the link itself moves its ctime."""
    cutoff = older_than.timestamp()
    removed = 0
    for path in paths:
        try:
            if path.is_file() and path.stat().st_ctime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # Gone meanwhile: its process finished, or another sweep was first.
    if removed:
        log.info("Removed %d files left by processes that died", removed)
    return removed


async def sweep_work_dir(work_dir: Path, older_than: datetime) -> int:
    """Delete the work dir's files unchanged since before `older_than`."""
    return await asyncio.to_thread(_sweep_dir, work_dir, older_than)


def _sweep_dir(directory: Path, older_than: datetime) -> int:
    if not directory.is_dir():
        return 0
    return remove_unchanged_since(list(directory.iterdir()), older_than)
