"""The account's audit log: who did what to which target."""

from typing import Any
from uuid import UUID

from models.audit import AuditEvent


async def record_event(
    account_id: UUID,
    actor_id: UUID | None,
    action: str,
    *,
    target_type: str = "",
    target_id: UUID | str = "",
    **details: Any,
) -> AuditEvent:
    return await AuditEvent.create(
        account_id=account_id,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )
