"""The relay that publishes the outbox's record change events (`services.crm.outbox`) on the
event bus and marks them sent: at least once, each account's batches in order.

A commit nudges the relay of its process, which publishes the batch at once (in a task of its
own: the committing task may hold what publishing needs, SQLite's one connection), so live
subscribers hear of a change at once. Every API and worker process also runs `run`, which
looks for unsent batches every POLL_SECONDS: those of a process that died between its commit
and its publication, or that the bus refused while it was down. Several relays are safe: only
the one holding an account's oldest unsent batch (a compare-and-set claim) publishes the
account's batches, one after the other; a relay that dies holding one lets its claim lapse.
"""

import asyncio
import contextlib
import logging
from datetime import timedelta
from uuid import UUID

from tortoise.expressions import Q

from models.crm import RecordChangeBatch
from services import events
from services.core.clock import now
from services.crm.changes import channel

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
# Long enough to publish a batch, short enough that a relay's death delays little.
CLAIM = timedelta(seconds=30)


class _Outage:
    """Says once when publishing stops working, and once when it works again."""

    failing = False

    @classmethod
    def report(cls, error: Exception | None) -> None:
        if error is not None and not cls.failing:
            log.warning("Record change events wait in the outbox: %r", error)
        elif error is None and cls.failing:
            log.warning("Record change events are published again")
        cls.failing = error is not None


# Publications under way, kept from the garbage collector until done.
_nudged: set[asyncio.Task[None]] = set()


def nudge(account_id: UUID) -> None:
    """The account's batches were committed: publish them now. What fails waits for `run`."""
    task = asyncio.create_task(_publish_accounts([account_id]))
    _nudged.add(task)
    task.add_done_callback(_nudged.discard)


async def run(poll_seconds: float = POLL_SECONDS) -> None:
    """This process's relay, until cancelled."""
    while True:
        try:
            accounts = await _accounts_with_unsent()
        except Exception as error:
            _Outage.report(error)
        else:
            await _publish_accounts(accounts)
        await asyncio.sleep(poll_seconds)


async def _publish_accounts(account_ids: list[UUID]) -> None:
    try:
        for account_id in account_ids:
            await _drain(account_id)
    except Exception as error:
        # The database or the bus is away: the batches wait, and the next pass retries.
        _Outage.report(error)
    else:
        _Outage.report(None)


async def _drain(account_id: UUID) -> None:
    while (batch := await _claim_next(account_id)) is not None:
        try:
            await events.bus().publish(
                channel(account_id, batch.object_type),
                {"batch": batch.id, "changes": batch.changes},
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await _release(batch)
            raise
        await _mark_sent(batch)


async def _accounts_with_unsent() -> list[UUID]:
    rows = (
        await RecordChangeBatch.filter(sent_at__isnull=True)
        .distinct()
        .values_list("account_id", flat=True)
    )
    return list(rows)  # type: ignore[arg-type]


async def _claim_next(account_id: UUID) -> RecordChangeBatch | None:
    """The account's oldest unsent batch, held by a compare-and-set; None if there is none, or
    if another relay holds it (that relay goes on with the account's batches)."""
    head = (
        await RecordChangeBatch.filter(account_id=account_id, sent_at__isnull=True)
        .order_by("id")
        .first()
    )
    if head is None:
        return None
    at = now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=at)
    taken = await RecordChangeBatch.filter(free, id=head.id, sent_at__isnull=True).update(
        claimed_until=at + CLAIM
    )
    return head if taken else None


async def _mark_sent(batch: RecordChangeBatch) -> None:
    await RecordChangeBatch.filter(id=batch.id).update(sent_at=now(), claimed_until=None)


async def _release(batch: RecordChangeBatch) -> None:
    await RecordChangeBatch.filter(id=batch.id, sent_at__isnull=True).update(claimed_until=None)
