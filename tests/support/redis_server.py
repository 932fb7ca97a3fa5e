"""A Redis server of a test's own, which the test starts and stops, without persistence."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.support.network import free_port

START_TIMEOUT_SECONDS = 10.0


class RedisServer:
    def __init__(self, binary: str) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        no_persistence = ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", *no_persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._until_listening()

    def _until_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        pytest.fail(f"redis-server did not listen on port {self.port}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(START_TIMEOUT_SECONDS)


@contextlib.contextmanager
def throwaway_redis() -> Iterator[RedisServer]:
    """A running redis-server on a free port, stopped at the end (or earlier by the test)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed, and CI must exercise it", pytrace=False)
        pytest.skip("redis-server is not installed")
    server = RedisServer(binary)
    try:
        yield server
    finally:
        server.stop()
