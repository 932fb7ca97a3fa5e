"""Change events for records, published after the change commits: the hook through which
workflows (re-enrollment and the like) react to restores and imports."""

from collections import defaultdict
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from services import events


class ChangeSource(StrEnum):
    API = "API"
    RESTORE = "RESTORE"
    IMPORT = "IMPORT"


@dataclass(frozen=True)
class RecordChange:
    record_id: str
    object_type: str
    source: str
    # The properties whose value changed (set, replaced or cleared).
    properties: list[str]
    # The restore or import that made the change, if any.
    job_id: str | None = None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "RecordChange":
        return cls(**message)

    def to_message(self) -> dict[str, Any]:
        # Not `asdict`: its deep copy cost a restore a tenth of its time.
        return dict(vars(self))


def channel(account_id: UUID, object_type: str) -> str:
    return f"records:{account_id}:{object_type}"


async def publish(account_id: UUID, changes: Iterable[RecordChange]) -> None:
    """Call after the transaction that made the changes committed. A batch's changes travel as
    one message per object type: one per record cost a restore more than its writes."""
    by_channel: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        by_channel[channel(account_id, change.object_type)].append(change.to_message())
    for name, batch in by_channel.items():
        await events.bus().publish(name, {"changes": batch})


async def live(account_id: UUID, object_type: str) -> AsyncGenerator[RecordChange, None]:
    """Each change, one at a time, as they are published."""
    async with events.bus().subscribe(channel(account_id, object_type)) as messages:
        async for message in messages:
            for change in message["changes"]:
                yield RecordChange.from_message(change)
