"""The one clock every service reads, so that a test can reason about "now" in one place, and
the check that a time a client sent can be compared with it."""

from datetime import UTC, datetime

from services.core.errors import ValidationFailed


def now() -> datetime:
    return datetime.now(UTC)


def require_zone(at: datetime | None, field: str) -> None:
    """A time without its zone names no instant (and cannot be compared with one that has it):
    VALIDATION_FAILED naming `field`."""
    if at is not None and at.utcoffset() is None:
        raise ValidationFailed(
            f"`{field}` needs its time zone, such as 2026-12-07T09:00:00Z.", field=field
        )
