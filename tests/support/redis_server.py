"""A redis-server of the test's own, on a free port and without persistence, that the test can
stop, start again, freeze and thaw: outages are never played on the shared Redis."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.network import free_port

STARTED_WITHIN_SECONDS = 10.0


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            reason = "redis-server is not installed"
            if os.environ.get("CI"):
                pytest.fail(f"{reason}, and CI must exercise it", pytrace=False)
            pytest.skip(reason)
        self._process = subprocess.Popen(
            [executable, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + STARTED_WITHIN_SECONDS
        while not _answers(self.port):
            assert time.monotonic() < deadline, "the test's redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """Gone as a crash leaves it (SIGKILL): every connection drops, nothing is kept."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def freeze(self) -> None:
        """Connections stay open and nothing answers, as a hung server or a dead link."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as conn:
        conn.sendall(b"PING\r\n")
        return conn.recv(16).startswith(b"+PONG")
    return False


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    """A running redis-server of the test's own, killed at the end (thawed first if frozen)."""
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        if server._process is not None:
            server.thaw()
        server.stop()
