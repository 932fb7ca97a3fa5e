"""A PostgreSQL cluster of the test's own (initdb and pg_ctl in a temporary directory, on a free
port), that the test can stop and start again: outages are never played on the shared server.
Run as the `postgres` OS user when the tests run as root (PostgreSQL refuses root)."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.network import free_port

BIN = Path("/usr/lib/postgresql/15/bin")
OWNER = "postgres"


class PostgresCluster:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.data = directory / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self._run(BIN / "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-locale")  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(BIN / "pg_ctl", "-D", str(self.data), "-o", options,
                  "-l", str(self.directory / "server.log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        """Gone at once, as a crash leaves it: every connection drops."""
        self._run(BIN / "pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _run(self, *args: str | Path) -> None:
        command = [str(arg) for arg in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OWNER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)


def _require_binaries() -> None:
    if not (BIN / "initdb").exists():
        reason = f"PostgreSQL's initdb is not at {BIN}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI must exercise it", pytrace=False)
        pytest.skip(reason)


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A new running cluster, stopped and deleted at the end."""
    _require_binaries()
    # Not pytest's tmp_path: the cluster's owner must be able to enter it.
    directory = Path(tempfile.mkdtemp(prefix="crm-backup-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, OWNER, OWNER)
    cluster = PostgresCluster(directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
