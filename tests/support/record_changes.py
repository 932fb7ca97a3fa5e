"""Record change events written to the outbox as a job's batch writes them, and heard."""

from collections.abc import Sequence
from uuid import UUID

from services import crm
from services.core import database


async def record_changes_committed(account_id: UUID, changes: Sequence[crm.RecordChange]) -> None:
    """`changes` committed to the outbox in a transaction of their own; the relay publishes."""
    async with database.transaction() as connection:
        await crm.record_changes(connection, account_id, changes)
