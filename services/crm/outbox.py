"""The outbox of record change events: written in the transaction that made the changes, read
back by the relay that publishes them and by subscribers resuming after an event they saw.

An account's batches get ids in the order their transactions commit: on PostgreSQL a writer
takes the account's outbox lock (an advisory lock held until its commit) before inserting, as a
sequence alone hands out ids in insert order, and a batch inserted first but committed last would
be published after a higher id and then skipped by a subscriber resuming after that id. (SQLite
runs one writing transaction at a time.) So publishing an account's batches in id order keeps
every record's events in order, and an event's id tells what came before it.
"""

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import RecordChangeBatch
from services.core import database
from services.core.clock import now
from services.core.errors import ValidationFailed
from services.crm import relay
from services.crm.changes import RecordChange

# Sent batches are kept this long for subscribers resuming with `after`, then deleted.
RETENTION = timedelta(days=1)
# Batches read at once when replaying.
PAGE = 10

# Held until the transaction ends; the account's id names it.
_LOCK_ACCOUNT = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"

# (batch id, index in the batch): an event's place, ordered as they are published.
Position = tuple[int, int]


async def record_changes(
    connection: BaseDBAsyncClient, account_id: UUID, changes: Iterable[RecordChange]
) -> None:
    """Write `changes` in the open transaction of `connection`, after the changes themselves
    (while their records are locked) and as late before its commit as can be (the account's
    other writers wait from here to that commit); the relay publishes them once it commits. One
    batch per object type: one row per record cost a restore more than its writes."""
    by_type: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        by_type[change.object_type].append(change.to_message())
    if not by_type:
        return
    if database.on_postgres(connection):
        await connection.execute_query(_LOCK_ACCOUNT, [f"outbox:{account_id}"])
    await RecordChangeBatch.bulk_create(
        [
            RecordChangeBatch(account_id=account_id, object_type=object_type, changes=batch)
            for object_type, batch in by_type.items()
        ],
        using_db=connection,
    )
    database.after_commit(lambda: relay.nudge(account_id))


def event_id(position: Position) -> str:
    return f"{position[0]}:{position[1]}"


def parse_event_id(text: str) -> Position:
    """An event id a client sent back (`after`); VALIDATION_FAILED if it is not one."""
    batch, _, index = text.partition(":")
    if not (batch.isdigit() and index.isdigit()):
        raise ValidationFailed("`after` is not the id of a record change.", field="after")
    return int(batch), int(index)


async def held_after(
    account_id: UUID, object_type: str, after: Position
) -> AsyncIterator[RecordChangeBatch]:
    """The batches of the account's `object_type` from the one holding `after` on, in order, as
    the outbox still holds them (sent or not)."""
    next_id = after[0]
    while True:
        page = (
            await RecordChangeBatch.filter(
                account_id=account_id, object_type=object_type, id__gte=next_id
            )
            .order_by("id")
            .limit(PAGE)
        )
        for batch in page:
            yield batch
        if len(page) < PAGE:
            return
        next_id = page[-1].id + 1


async def delete_sent(at: datetime | None = None) -> int:
    """Delete the batches sent more than RETENTION ago (a scheduler pass)."""
    return await RecordChangeBatch.filter(sent_at__lt=(at or now()) - RETENTION).delete()
