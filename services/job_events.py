"""Live progress of a background job (backup, restore, import), on the channel of its row."""

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from services import events


@dataclass(frozen=True)
class JobEvent:
    job_id: str
    status: str
    object_type: str | None = None
    rows_done: int | None = None
    rows_total: int | None = None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "JobEvent":
        return cls(**message)


def channel(job_id: UUID) -> str:
    return f"jobs:{job_id}"


async def publish(job_id: UUID, event: JobEvent) -> None:
    await events.bus().publish(channel(job_id), asdict(event))


def subscribe(job_id: UUID) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
    return events.bus().subscribe(channel(job_id))
