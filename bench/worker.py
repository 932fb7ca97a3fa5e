"""A real `crm-backup worker` subprocess, and the peak memory of the processes dramatiq forks,
with the processes they start in turn (a backup's CSV is inflated by a child of its reader)."""

import asyncio
import contextlib
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from tortoise.models import Model

from bench.database import command
from services import jobs
from workers.cli import READY_LINE

J = TypeVar("J", bound=Model)

# How often a benchmark looks at the job's row (for a failed attempt) while it waits for the
# job's events.
CHECK_SECONDS = 1.0
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
# How often the memory of a worker process's own children is sampled: they live for a file's
# reading, a tenth of a second and more.
SAMPLE_SECONDS = 0.05


class WorkerProcess:
    """`crm-backup worker --processes 1 --threads 1`, started on entry, stopped on exit; with
    `module`, the same worker importing that module instead of the product's."""

    def __init__(self, env: dict[str, str], log_path: Path, module: str | None = None) -> None:
        self._env = env
        self._log_path = log_path
        self._module = module
        self._process: subprocess.Popen[bytes] | None = None
        self._family: _FamilyPeak | None = None

    def _command(self) -> list[str]:
        if self._module is None:
            return [*command(), "worker", "--processes", "1", "--threads", "1"]
        run = (
            "import sys; from workers.cli import run_worker; "
            f"sys.exit(run_worker({self._module!r}, 1, 1))"
        )
        return [sys.executable, "-c", run]

    def __enter__(self) -> Self:
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self._command(),
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._family = _FamilyPeak(self.children)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("The worker has not been started")
        return self._process.pid

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> float:
        """Seconds until the worker process logged that it consumes (database connected)."""
        started = time.monotonic()
        while READY_LINE not in self._log_path.read_text(errors="replace"):
            if not self.alive():
                raise RuntimeError(f"The worker exited at start-up:\n{self.log_tail()}")
            if time.monotonic() - started > timeout:
                raise TimeoutError(
                    f"The worker was not ready in {timeout:.0f} s:\n{self.log_tail()}"
                )
            time.sleep(0.05)
        return time.monotonic() - started

    def children(self) -> list[int]:
        """The worker processes, from the supervisor's own list: sampled every SAMPLE_SECONDS
        beside the job, so never a walk of every process (that took a fifth of a core-second
        from a backup of 6 s, on two cores)."""
        try:
            return _children_of(self.pid)
        except OSError:
            return []  # The supervisor has exited.

    def peak_rss_bytes(self) -> int:
        """The largest VmHWM among the worker processes (dramatiq forks them from this one), or
        the largest resident memory of one with its children, sampled, if that was more."""
        peaks = [vm_hwm(pid) for pid in self.children()]
        if not peaks:
            raise RuntimeError("The worker has no worker processes")
        return max(*peaks, self._family.peak if self._family else 0)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM lets dramatiq stop its processes; whatever outlives the grace period, by id,
        gets SIGKILL."""
        if self._family is not None:
            self._family.stop()
        if self._process is None or not self.alive():
            return
        children = {pid: _start_time(pid) for pid in self.children()}
        terminate(self._process)
        for pid, started in children.items():
            _kill_if_same(pid, started)


class _FamilyPeak:
    """The largest memory of a worker process with its own children, sampled every
    SAMPLE_SECONDS on a thread of its own until stopped: the worker's resident set and what
    each child holds of its own (private pages; the interpreter's pages it shares with the
    worker are counted once, in the worker's)."""

    def __init__(self, workers: Callable[[], list[int]]) -> None:
        self._workers = workers
        self.peak = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stopped.wait(SAMPLE_SECONDS):
            for pid in self._workers():
                with contextlib.suppress(OSError, RuntimeError):
                    # A child counts once it runs its own program. Until then it runs in its
                    # parent's memory (Python starts a child by vfork), and /proc counts every
                    # page of that as the child's own: a sample in that instant counted the
                    # worker's memory twice (158 to 163 MB for 125).
                    parent = _command_line(pid)
                    children = sum(
                        _private(child)
                        for child in _children_of(pid)
                        if _command_line(child) != parent
                    )
                    self.peak = max(self.peak, _vm_rss(pid) + children)


def _command_line(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def _children_of(pid: int) -> list[int]:
    """A process's children, from each of its threads' list (Linux)."""
    tasks = Path(f"/proc/{pid}/task")
    return [
        int(child) for task in tasks.iterdir() for child in (task / "children").read_text().split()
    ]


def terminate(process: "subprocess.Popen[bytes]") -> None:
    """SIGTERM, then SIGKILL if the process outlives the grace period."""
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT_SECONDS)


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat from its third field (state) on. The command name before it is
    parenthesised and may hold spaces, so fields follow its last ')'."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _start_time(pid: int) -> str | None:
    try:
        return _stat_fields(pid)[19]
    except (OSError, IndexError):
        return None


def vm_hwm(pid: int) -> int:
    return _status_bytes(pid, "VmHWM:")


def _vm_rss(pid: int) -> int:
    return _status_bytes(pid, "VmRSS:")


def _private(pid: int) -> int:
    """The resident pages of a process that no other process maps."""
    fields = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    private = [line for line in fields if line.startswith(("Private_Clean:", "Private_Dirty:"))]
    return sum(int(line.split()[1]) * 1024 for line in private)


def _status_bytes(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"No {field} for process {pid}")


def _kill_if_same(pid: int, started: str | None) -> None:
    """SIGKILL a worker process that outlived its supervisor, unless its id was reused."""
    if started is None or _start_time(pid) != started:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


async def until_succeeded(
    worker: WorkerProcess, kind: jobs.JobKind[J], row_id: Any, deadline: float
) -> J:
    """The job's row once the job of `kind` succeeded, learnt as a client learns it: from the
    job's events, published once the outcome committed. (Polling the row every few
    milliseconds took CPU from the job it timed, on two cores.) A failed attempt goes back to
    waiting with its reason, and publishes nothing: the benchmark looks at the row every
    CHECK_SECONDS for that, and stops there, as it does when the worker exits or `deadline`
    (perf_counter) passes."""
    statuses = kind.statuses
    check = functools.partial(_checked, worker, kind, row_id, deadline)

    async def state_now() -> jobs.JobEvent:
        return jobs.JobEvent(str(row_id), (await check()).status.value)

    async with contextlib.aclosing(jobs.watch(row_id, state_now)) as events:
        next_event = asyncio.ensure_future(anext(events))
        try:
            while True:
                done, _ = await asyncio.wait({next_event}, timeout=CHECK_SECONDS)
                if not done:
                    await check()
                    continue
                if next_event.result().status in (statuses.succeeded, statuses.failed):
                    break
                next_event = asyncio.ensure_future(anext(events))
        finally:
            next_event.cancel()
    row = await check()
    if row.status != statuses.succeeded:
        raise RuntimeError(f"The job ended {row.status.value}: {row.failure_reason}")
    return row


async def _checked(
    worker: WorkerProcess, kind: jobs.JobKind[J], row_id: Any, deadline: float
) -> Any:
    """The job's row, unless the job failed, the worker exited or the deadline passed."""
    row: Any = await kind.model.get(id=row_id)
    if row.status == kind.statuses.failed or row.failure_reason:
        raise RuntimeError(f"The job failed: {row.failure_reason}")
    if not worker.alive():
        raise RuntimeError(f"The worker exited:\n{worker.log_tail()}")
    if time.perf_counter() > deadline:
        raise TimeoutError(f"The job was still {row.status.value} at the deadline")
    return row
