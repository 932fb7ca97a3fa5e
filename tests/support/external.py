"""Which real services the tests run against, and what happens when one is missing.

Tests that need PostgreSQL or Redis skip with the reason when it is not reachable, and fail
instead when `CI` is set: CI must exercise the real services.
"""

import os
import socket
from urllib.parse import urlparse

import pytest

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS_URL


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), 2):
            return True
    except OSError:
        return False


def require(name: str, url: str) -> None:
    """Skip (or, under CI, fail) the calling test or fixture when the service is unreachable."""
    if _reachable(url):
        return
    reason = f"{name} is not reachable at {urlparse(url).netloc}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must exercise it", pytrace=False)
    pytest.skip(reason)
