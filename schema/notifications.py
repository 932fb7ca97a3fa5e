from datetime import datetime
from typing import Self

import strawberry

from models.notifications import Notification as NotificationModel


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
    def from_model(cls, notification: NotificationModel) -> Self:
        return cls(
            id=strawberry.ID(str(notification.id)),
            kind=notification.kind,
            title=notification.title,
            body=notification.body,
            subject_id=strawberry.ID(notification.subject_id) if notification.subject_id else None,
            created_at=notification.created_at,
            read_at=notification.read_at,
        )
