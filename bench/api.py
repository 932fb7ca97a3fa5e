"""A real `crm-backup serve` subprocess (the API, production mode), and its peak memory."""

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Self

from bench.database import command
from bench.worker import READY_TIMEOUT_SECONDS, terminate, vm_hwm

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on now, for this run's API."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class ApiProcess:
    """`crm-backup serve` on a free port, started on entry, stopped on exit."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self._env = env | {"HOST": HOST, "PORT": str(self.port)}
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Self:
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [*command(), "serve"], env=self._env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is not None and self._process.poll() is None:
            terminate(self._process)

    def wait_ready(self, timeout: float = READY_TIMEOUT_SECONDS) -> float:
        """Seconds until `/health/live` answers."""
        started = time.monotonic()
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health/live", timeout=1):
                    return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError):
                if self._process is None or self._process.poll() is not None:
                    raise RuntimeError(f"The API exited at start-up:\n{self._log()}") from None
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"The API was not ready in {timeout:.0f} s") from None
                time.sleep(0.1)

    def peak_rss_bytes(self) -> int:
        if self._process is None:
            raise RuntimeError("The API has not been started")
        return vm_hwm(self._process.pid)

    def _log(self, lines: int = 30) -> str:
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])
