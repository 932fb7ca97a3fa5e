from datetime import datetime
from typing import Self

import strawberry

import resolvers.accounts
from resolvers.accounts import SignedIn
from services import accounts

# The models' enums are the GraphQL ones: `strawberry.enum` marks the class in place.
strawberry.enum(accounts.Tier)
strawberry.enum(accounts.Role)
strawberry.enum(accounts.AuthMethod)


@strawberry.type
class Account:
    id: strawberry.ID
    name: str
    tier: accounts.Tier
    created_at: datetime
    model: strawberry.Private[accounts.Account]

    @strawberry.field(description="When `createBackup` is allowed again; null: now.")
    def next_manual_backup_at(self) -> datetime | None:
        return resolvers.accounts.next_manual_backup_at(self.model)

    @strawberry.field(
        description="How long after a manual backup `createBackup` is allowed again, in seconds "
        "(the tier's quota: 7 days, or 24 hours on ENTERPRISE)."
    )
    def manual_backup_interval_seconds(self) -> int:
        return resolvers.accounts.manual_backup_interval_seconds(self.model)

    @strawberry.field(
        description="Whether the account has a record outside the recycle bin: a backup of an "
        "account without one holds nothing, and still uses the manual quota."
    )
    async def holds_records(self) -> bool:
        return await resolvers.accounts.holds_records(self.model)

    @classmethod
    def from_model(cls, account: accounts.Account) -> Self:
        return cls(
            id=strawberry.ID(str(account.id)),
            name=account.name,
            tier=account.tier,
            created_at=account.created_at,
            model=account,
        )


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    name: str
    role: accounts.Role
    has_password: bool = strawberry.field(
        description="False while an invited user has not accepted the invitation."
    )
    created_at: datetime
    last_login_at: datetime | None
    totp_enrolled: bool = strawberry.field(description="Two-factor authentication is set up.")
    disabled: bool = strawberry.field(
        description="A disabled user cannot sign in, and has no session left."
    )

    @classmethod
    def from_model(cls, user: accounts.User) -> Self:
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            name=user.name,
            role=user.role,
            has_password=user.password_hash is not None,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
            totp_enrolled=accounts.is_totp_enrolled(user),
            disabled=user.disabled_at is not None,
        )


@strawberry.type(description="An active super admin, for the other roles to ask.")
class SuperAdmin:
    name: str
    email: str

    @classmethod
    def from_model(cls, user: accounts.User) -> Self:
        return cls(name=user.name, email=user.email)


@strawberry.type
class Me:
    user: User
    account: Account
    auth_method: accounts.AuthMethod
    session_expires_at: datetime
    totp_enrolled: bool = strawberry.field(
        description="Two-factor is set up: a PASSWORD session needs it to re-authenticate."
    )
    recovery_codes_remaining: int = strawberry.field(
        description="Unused two-factor recovery codes."
    )

    @classmethod
    def from_signed_in(cls, signed_in: SignedIn) -> Self:
        session = signed_in.viewer.session
        return cls(
            user=User.from_model(signed_in.viewer.user),
            account=Account.from_model(signed_in.account),
            auth_method=session.auth_method,
            session_expires_at=session.expires_at,
            totp_enrolled=signed_in.totp_enrolled,
            recovery_codes_remaining=signed_in.recovery_codes_left,
        )


@strawberry.type
class LoginPayload:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    user: User

    @classmethod
    def from_session(cls, token: str, user: accounts.User) -> Self:
        return cls(token=token, user=User.from_model(user))


@strawberry.type
class InviteUserPayload:
    user: User
    invitation_token: str = strawberry.field(
        description="Shown once: the invitee redeems it with `acceptInvitation` within 7 days."
    )


@strawberry.type
class TotpEnrollment:
    secret: str = strawberry.field(
        description="Base32, for typing into an authenticator; shown only now."
    )
    otpauth_uri: str = strawberry.field(description="The same secret as an `otpauth://` URI.")
    qr_code_svg_data_uri: str = strawberry.field(
        description="The URI as a QR code: an SVG `data:` URI, ready for an `<img src>`."
    )

    @classmethod
    def from_enrollment(cls, enrollment: accounts.TotpEnrollment) -> Self:
        return cls(
            secret=enrollment.secret,
            otpauth_uri=enrollment.otpauth_uri,
            qr_code_svg_data_uri=enrollment.qr_code_svg_data_uri,
        )


@strawberry.type
class RecoveryCodes:
    codes: list[str] = strawberry.field(
        description="Shown only now: each one works once where a two-factor code is asked for. "
        "They replace any earlier ones."
    )


@strawberry.type
class ReauthenticatePayload:
    reauthenticated_until: datetime = strawberry.field(
        description="Until then, this session may start or revert a restore."
    )
    recovery_codes_remaining: int | None = strawberry.field(
        description="After a recovery code: how many are left. Null after an authenticator code."
    )

    @classmethod
    def from_step_up(cls, step_up: accounts.StepUp) -> Self:
        return cls(
            reauthenticated_until=step_up.until,
            recovery_codes_remaining=step_up.recovery_codes_left,
        )
