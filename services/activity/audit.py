"""The account's audit log: who did what to which target, read whole or filtered."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.queryset import QuerySet

from models.accounts import Role
from models.audit import AuditEvent
from services.core import log_context
from services.core.clock import require_zone
from services.core.errors import ValidationFailed
from services.core.pagination import Page, paginate
from services.core.signing import LinkTarget
from services.core.viewer import Viewer


@dataclass(frozen=True)
class AuditFilter:
    """Entries of one action, by one actor, from `since` (included) to `until` (excluded)."""

    action: str | None = None
    actor_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        require_zone(self.since, "since")
        require_zone(self.until, "until")
        if self.since and self.until and self.since >= self.until:
            raise ValidationFailed("The date range ends before it starts.", field="until")


async def record_event(
    account_id: UUID,
    actor_id: UUID | None,
    action: str,
    *,
    target_type: str = "",
    target_id: UUID | str = "",
    **details: Any,
) -> AuditEvent:
    # What automation did is told from what its creator did by hand.
    if (token_id := log_context.api_token_id()) is not None:
        details = {**details, "apiTokenId": token_id}
    return await AuditEvent.create(
        account_id=account_id,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        details=details,
    )


async def record_download(
    target: LinkTarget, action: str, target_type: str, **details: Any
) -> AuditEvent:
    """A file fetched through a signed link, by the user who minted the link."""
    return await record_event(
        target.account_id,
        target.user_id,
        action,
        target_type=target_type,
        target_id=target.object_id,
        **details,
    )


async def audit_log(
    viewer: Viewer, first: int, after: str | None, wanted: AuditFilter = AuditFilter()
) -> Page[AuditEvent]:
    """Newest first, with each event's actor (ADMIN, SUPER_ADMIN)."""
    viewer.require_role(Role.ADMIN, Role.SUPER_ADMIN)
    return await paginate(events_of(viewer.account_id, wanted), first, after, newest_first=True)


async def audit_actions(viewer: Viewer) -> list[str]:
    """The actions the account's log holds, for choosing one to filter by."""
    viewer.require_role(Role.ADMIN, Role.SUPER_ADMIN)
    actions = AuditEvent.filter(account_id=viewer.account_id).distinct().order_by("action")
    return [str(action) for action in await actions.values_list("action", flat=True)]


def events_of(account_id: UUID, wanted: AuditFilter) -> QuerySet[AuditEvent]:
    """The account's entries that `wanted` lets through, each with its actor."""
    events = AuditEvent.filter(account_id=account_id).select_related("actor")
    if wanted.action:
        events = events.filter(action=wanted.action)
    if wanted.actor_id:
        events = events.filter(actor_id=wanted.actor_id)
    if wanted.since:
        events = events.filter(created_at__gte=wanted.since)
    if wanted.until:
        events = events.filter(created_at__lt=wanted.until)
    return events
