"""Embedded mode's attempt counter: in this process's memory (embedded mode is one process)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.attempts.base import Locked, Schedule


@dataclass
class _Entry:
    attempts: int
    latest: datetime
    forget_at: datetime


class InProcessAttempts:
    """Entries stay in the order they were last counted, so forgotten ones are pruned from the
    front: memory holds only what the window remembers."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    async def admit(self, key: str, at: datetime, schedule: Schedule) -> datetime | None:
        # No await in here: nothing else runs between the check and the count.
        self._prune(at)
        entry = self._entries.pop(key, None)
        attempts = entry.attempts if entry is not None and entry.forget_at > at else 0
        if entry is not None and attempts:
            locked_until = entry.latest + timedelta(seconds=schedule.lockout_after(attempts))
            if at < locked_until:
                self._entries[key] = entry
                raise Locked(locked_until)
        attempts += 1
        self._entries[key] = _Entry(attempts, at, at + timedelta(seconds=schedule.window))
        lockout = schedule.lockout_after(attempts)
        return at + timedelta(seconds=lockout) if lockout else None

    async def release(self, key: str) -> None:
        entry = self._entries.get(key)
        if entry is not None and entry.attempts:
            entry.attempts -= 1

    async def reset(self, key: str) -> None:
        self._entries.pop(key, None)

    async def close(self) -> None:
        return None

    def _prune(self, at: datetime) -> None:
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if entry.forget_at > at:
                return
            del self._entries[key]
