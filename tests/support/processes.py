"""`crm-backup` commands as real background processes.

Each starts in a session of its own, so that it can be killed together with every process it
forked (`crm-backup worker` forks dramatiq's worker processes), and writes its output to a log
file, shown when a test fails.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
from pathlib import Path

from tests.support.cli import command

STOP_TIMEOUT_SECONDS = 15.0


class Process:
    def __init__(self, name: str, args: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log_path = cwd / f"{name}.log"
        with self.log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                command(*args),
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def __repr__(self) -> str:
        return f"<{self.name} pid {self.popen.pid}>"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group at once, as a crash or the OOM killer would."""
        self._kill_group()
        self.popen.wait(STOP_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """SIGTERM to the command (as `docker stop` does), then SIGKILL whatever lingers."""
        if self.alive():
            self.popen.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(STOP_TIMEOUT_SECONDS)
        # Forked children can outlive their parent: the group goes in any case.
        self._kill_group()
        self.popen.wait(STOP_TIMEOUT_SECONDS)

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


async def run(*args: str, cwd: Path, env: dict[str, str]) -> str:
    """A one-shot command; its standard output, or the test fails with its errors."""
    process = await asyncio.create_subprocess_exec(
        *command(*args),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        stdout, stderr = await process.communicate()
    assert process.returncode == 0, f"crm-backup {args[0]} failed:\n{stderr.decode()}"
    return stdout.decode().strip()
