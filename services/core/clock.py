"""The one clock every service reads, so that a test can reason about "now" in one place."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
