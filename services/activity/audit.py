"""The account's audit log: who did what to which target."""

from typing import Any
from uuid import UUID

from models.accounts import Role
from models.audit import AuditEvent
from services.core.pagination import Page, paginate
from services.core.viewer import Viewer


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


async def audit_log(viewer: Viewer, first: int, after: str | None) -> Page[AuditEvent]:
    """Newest first, with each event's actor (ADMIN, SUPER_ADMIN)."""
    viewer.require_role(Role.ADMIN, Role.SUPER_ADMIN)
    events = AuditEvent.filter(account_id=viewer.account_id).select_related("actor")
    return await paginate(events, first, after, newest_first=True)
