from datetime import datetime
from typing import Self

import strawberry
from strawberry.scalars import JSON

from models.accounts import User as UserModel
from models.audit import AuditEvent as AuditEventModel


@strawberry.type
class AuditActor:
    id: strawberry.ID
    email: str
    name: str

    @classmethod
    def from_model(cls, user: UserModel) -> Self:
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
    def from_model(cls, event: AuditEventModel) -> Self:
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
