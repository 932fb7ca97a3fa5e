"""The `crm-backup` command run for real, in subprocesses, on this checkout's code."""

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from server.cli import PASSWORD_ENV
from server.settings import Settings
from tests.support.tenants import LOGIN

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_VARIABLES = {name.upper() for name in Settings.model_fields} | {PASSWORD_ENV}


def cli_env(**overrides: str) -> dict[str, str]:
    """This environment minus any settings, so a developer's own never leak into a test."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    # The checkout's code, however (or whether) the project is installed.
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["PYTHONUNBUFFERED"] = "1"
    return env | overrides


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", *args]


def crm_backup(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(*args),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def succeeds(*args: str, cwd: Path, env: dict[str, str]) -> str:
    """A command that must exit 0; its standard output."""
    result = crm_backup(*args, cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class Serving:
    """`crm-backup serve` in the background, its output read line by line."""

    def __init__(self, cwd: Path, port: int, **settings: str) -> None:
        self.process = subprocess.Popen(
            command("serve"),
            cwd=cwd,
            env=cli_env(PORT=str(port), **settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        # Every line taken from `lines` so far.
        self.taken: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def line_starting(self, prefix: str, timeout: float = 60) -> str:
        return self.line_where(lambda line: line.startswith(prefix), prefix, timeout)

    def line_where(self, wanted: Callable[[str], bool], what: str, timeout: float = 60) -> str:
        """The next line that is `wanted`; the test fails, saying `what`, after `timeout`."""
        try:
            while True:
                line = self.lines.get(timeout=timeout)
                self.taken.append(line)
                if wanted(line):
                    return line.strip()
        except queue.Empty:
            pytest.fail(f"No line {what!r}; output:\n{''.join(self.taken)}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


# The start banner of embedded mode, naming its demo account's super admin.
SIGN_IN = re.compile(r"^Sign in at \S+ with (\S+) / (\S+)$")


@contextlib.contextmanager
def signed_in_to(served: Serving, port: int) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    """A client of the served process and the header of a session of the demo super admin
    its banner names."""
    match = SIGN_IN.match(served.line_starting("Sign in at"))
    assert match is not None
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        credentials = {"email": match[1], "password": match[2]}
        login = http.post("/graphql", json={"query": LOGIN, "variables": credentials})
        yield http, {"Authorization": f"Bearer {login.json()['data']['login']['token']}"}


def env_of(settings: Settings) -> dict[str, str]:
    """The environment of a command working on the suite's server's database, storage,
    secret and backup keys, as an operator's on the server's machine would."""
    assert settings.secret_key is not None and settings.backup_keys is not None
    return cli_env(
        DATABASE_URL=settings.database_url,
        STORAGE_DIR=str(settings.storage_dir),
        WORK_DIR=str(settings.work_dir),
        SECRET_KEY=settings.secret_key.get_secret_value(),
        BACKUP_KEYS=settings.backup_keys.get_secret_value(),
    )


def table(output: str) -> list[dict[str, str]]:
    """A tab-separated listing's rows, by its header's column names."""
    header, *lines = output.splitlines()
    return [dict(zip(header.split("\t"), line.split("\t"), strict=True)) for line in lines]
