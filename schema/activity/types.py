from datetime import datetime
from typing import Self

import strawberry
from strawberry.scalars import JSON

import resolvers.activity
from services import accounts, activity


@strawberry.type(
    description="A message to one user about a job of the account (sent to its super admins)."
)
class Notification:
    id: strawberry.ID = strawberry.field(description="The notification's id.")
    kind: str = strawberry.field(
        description="What happened, as a stable word clients branch on: BACKUP_READY, "
        "BACKUP_FAILED, RESTORE_COMPLETED, RESTORE_FAILED, IMPORT_COMPLETED, IMPORT_FAILED "
        "(a revert is named like what it reverts) or MASS_CHANGE_DETECTED (subjectId: the "
        "comparison)."
    )
    title: str = strawberry.field(description='One line for people, e.g. "Your backup is ready".')
    body: str = strawberry.field(description="The details for people; may be empty.")
    subject_id: strawberry.ID | None = strawberry.field(
        description="The backup, restore or import the notification is about, if any."
    )
    created_at: datetime = strawberry.field(description="When it was sent.")
    read_at: datetime | None = strawberry.field(
        description="When `markNotificationsRead` marked it; null while unread."
    )

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


@strawberry.type(description="The user who did what an audit entry records.")
class AuditActor:
    id: strawberry.ID = strawberry.field(description="The user's id.")
    email: str = strawberry.field(description="The user's email.")
    name: str = strawberry.field(description="The user's display name; may be empty.")

    @classmethod
    def from_model(cls, user: accounts.User) -> Self:
        return cls(id=strawberry.ID(str(user.id)), email=user.email, name=user.name)


@strawberry.type(description="An entry of the audit log: who did what to what, and when.")
class AuditEvent:
    id: strawberry.ID = strawberry.field(description="The entry's id.")
    action: str = strawberry.field(
        description="What was done, e.g. LOGIN or USER_INVITED (`auditLogActions` lists those "
        "the log holds)."
    )
    actor: AuditActor | None = strawberry.field(
        description="Who did it; null once that user has been removed, or for the system."
    )
    target_type: str = strawberry.field(
        description="What kind of thing it was done to: user, backup, backup_schedule, restore, "
        "import, records, object_type or property."
    )
    target_id: str = strawberry.field(
        description="The id of the thing it was done to; empty for records, whose ids are in "
        "`details.record_ids`."
    )
    details: JSON = strawberry.field(
        description="What else the action recorded, as a JSON object whose keys depend on the "
        "action (e.g. `role`, `email`, `count`, `code` and `reason` of a failure)."
    )
    created_at: datetime = strawberry.field(description="When it was done.")

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
    action: str | None = strawberry.field(
        default=None, description="Only this action (one of `auditLogActions`)."
    )
    actor_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only what this user did (an id of `users`)."
    )
    since: datetime | None = strawberry.field(
        default=None, description="Only entries at or after this instant (included)."
    )
    until: datetime | None = strawberry.field(
        default=None, description="Only entries before this instant (excluded)."
    )

    def to_filter(self) -> activity.AuditFilter:
        return resolvers.activity.audit_filter(self.action, self.actor_id, self.since, self.until)
