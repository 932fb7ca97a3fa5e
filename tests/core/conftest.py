"""Storage fixtures: S3 through moto's server, a payload larger than a chunk."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from tests.support.network import free_port
from tests.support.storage import Payload, s3_client


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 in server mode: real HTTP, as boto3 talks to any S3-compatible store."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(endpoint, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("moto's server did not start")
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    name = f"backups-{uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def payload(tmp_path: Path) -> Payload:
    # Larger than a stream chunk and than boto3's multipart threshold (8 MiB).
    path = tmp_path / "payload.zip"
    data = os.urandom(9 << 20)
    path.write_bytes(data)
    return Payload(path, data)
