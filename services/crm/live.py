"""Record change events as a subscriber hears them: those the outbox holds after the last one it
saw (when it resumes), then each one as the relay publishes it."""

from collections.abc import AsyncGenerator, Iterable
from typing import Any
from uuid import UUID

from services import events
from services.crm import outbox
from services.crm.changes import ChangeEvent, RecordChange, channel


def _events(batch_id: int, changes: Iterable[dict[str, Any]]) -> list[ChangeEvent]:
    return [
        ChangeEvent(outbox.event_id((batch_id, index)), RecordChange.from_message(change))
        for index, change in enumerate(changes)
    ]


async def live(
    account_id: UUID, object_type: str, after: str | None = None
) -> AsyncGenerator[ChangeEvent, None]:
    """Each change of the account's `object_type`, one at a time, as published; with `after` (an
    event id), first those the outbox still holds after it, each once."""
    start = outbox.parse_event_id(after) if after is not None else None
    # Subscribe before reading the outbox, or a batch published in between would be missed.
    async with events.bus().subscribe(channel(account_id, object_type)) as messages:
        replayed: set[int] = set()
        if start is not None:
            async for batch in outbox.held_after(account_id, object_type, start):
                replayed.add(batch.id)
                for index, event in enumerate(_events(batch.id, batch.changes)):
                    if (batch.id, index) > start:
                        yield event
        async for message in messages:
            # A batch replayed above may still be published (it was unsent): heard once.
            if message["batch"] not in replayed:
                for event in _events(message["batch"], message["changes"]):
                    yield event
