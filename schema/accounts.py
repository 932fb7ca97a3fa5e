from datetime import datetime
from typing import Self

import strawberry

from models.accounts import Account as AccountModel
from models.accounts import AuthMethod, Role, Tier
from models.accounts import User as UserModel
from services import backups

# The models' enums are the GraphQL ones: `strawberry.enum` marks the class in place.
strawberry.enum(Tier)
strawberry.enum(Role)
strawberry.enum(AuthMethod)


@strawberry.type
class Account:
    id: strawberry.ID
    name: str
    tier: Tier
    created_at: datetime
    next_manual_backup_at: datetime | None = strawberry.field(
        description="When `createBackup` is allowed again; null: now."
    )

    @classmethod
    def from_model(cls, account: AccountModel) -> Self:
        return cls(
            id=strawberry.ID(str(account.id)),
            name=account.name,
            tier=account.tier,
            created_at=account.created_at,
            next_manual_backup_at=backups.next_manual_backup_at(account),
        )


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    name: str
    role: Role
    has_password: bool = strawberry.field(
        description="False while an invited user has not accepted the invitation."
    )
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def from_model(cls, user: UserModel) -> Self:
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            name=user.name,
            role=user.role,
            has_password=user.password_hash is not None,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


@strawberry.type
class Me:
    user: User
    account: Account
    auth_method: AuthMethod
    session_expires_at: datetime
    totp_enrolled: bool = strawberry.field(
        description="Two-factor is set up: a PASSWORD session needs it to re-authenticate."
    )


@strawberry.type
class LoginPayload:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    user: User


@strawberry.type
class InviteUserPayload:
    user: User
    invitation_token: str = strawberry.field(
        description="Shown once: the invitee redeems it with `acceptInvitation` within 7 days."
    )
