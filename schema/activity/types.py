from datetime import datetime
from typing import Self

import strawberry
from strawberry.scalars import JSON

import resolvers.activity
from services import accounts, activity


@strawberry.type
class Notification:
    id: strawberry.ID
    kind: str = strawberry.field(description="What happened, as a stable word clients branch on.")
    title: str
    body: str
    subject_id: strawberry.ID | None = strawberry.field(
        description="The backup, restore or import the notification is about, if any."
    )
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def from_model(cls, notification: activity.Notification) -> Self:
        return cls(
            id=strawberry.ID(str(notification.id)),
            kind=notification.kind,
            title=notification.title,
            body=notification.body,
            subject_id=strawberry.ID(notification.subject_id) if notification.subject_id else None,
            created_at=notification.created_at,
            read_at=notification.read_at,
        )


@strawberry.type
class AuditActor:
    id: strawberry.ID
    email: str
    name: str

    @classmethod
    def from_model(cls, user: accounts.User) -> Self:
        return cls(id=strawberry.ID(str(user.id)), email=user.email, name=user.name)


@strawberry.type
class AuditEvent:
    id: strawberry.ID
    action: str = strawberry.field(description="What was done, e.g. LOGIN or USER_INVITED.")
    actor: AuditActor | None = strawberry.field(
        description="Who did it; null once that user has been removed, or for the system."
    )
    target_type: str
    target_id: str
    details: JSON
    created_at: datetime

    @classmethod
    def from_model(cls, event: activity.AuditEvent) -> Self:
        """`event.actor` must have been fetched (`select_related("actor")`)."""
        return cls(
            id=strawberry.ID(str(event.id)),
            action=event.action,
            actor=AuditActor.from_model(event.actor) if event.actor else None,
            target_type=event.target_type,
            target_id=event.target_id,
            details=JSON(event.details),
            created_at=event.created_at,
        )


@strawberry.input(description="Entries that match every field given.")
class AuditLogFilter:
    action: str | None = None
    actor_id: strawberry.ID | None = None
    since: datetime | None = strawberry.field(default=None, description="Included.")
    until: datetime | None = strawberry.field(default=None, description="Excluded.")

    def to_filter(self) -> activity.AuditFilter:
        return resolvers.activity.audit_filter(self.action, self.actor_id, self.since, self.until)
