"""What both attempt counters share: the interface, the schedule a key is locked by, and the
refusal while it is locked."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Schedule:
    """How attempts on a key are limited: after its n-th counted attempt the key is locked for
    `lockouts[n - 1]` seconds (0: not at all; the last entry holds for any later attempt).
    Counted attempts are forgotten `window` seconds after the latest."""

    lockouts: tuple[float, ...]
    window: float

    def lockout_after(self, attempts: int) -> float:
        return self.lockouts[min(attempts, len(self.lockouts)) - 1]


class Locked(Exception):
    """The key is locked: the attempt was refused, and not counted."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class AttemptCounter(Protocol):
    async def admit(self, key: str, at: datetime, schedule: Schedule) -> datetime | None:
        """Counts an attempt at `at`, atomically with the check: raises `Locked` while the key
        is locked. Returns until when the key is locked should this attempt fail, if at all."""
        ...

    async def release(self, key: str) -> None:
        """An admitted attempt that succeeded no longer counts."""
        ...

    async def reset(self, key: str) -> None:
        """Forgets the key's attempts."""
        ...

    async def close(self) -> None: ...
