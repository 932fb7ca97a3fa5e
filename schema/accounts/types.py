from datetime import datetime
from typing import Self

import strawberry

import resolvers.accounts
from resolvers.accounts import SignedIn
from schema.enums import described_enum
from services import accounts

# The models' enums are the GraphQL ones, marked in place.
described_enum(
    accounts.Tier,
    "The account's plan: how often a manual backup may be made, and whether backups recur.",
    {
        accounts.Tier.STARTER: "One manual backup per 7 days; no scheduled backups.",
        accounts.Tier.PROFESSIONAL: "One manual backup per 7 days; no scheduled backups.",
        accounts.Tier.ENTERPRISE: "One manual backup per 24 hours, and scheduled backups.",
    },
)
described_enum(
    accounts.Role,
    "What a user may do in the account.",
    {
        accounts.Role.SUPER_ADMIN: "Everything: users, backups, restores, imports and the "
        "audit log, besides the CRM.",
        accounts.Role.ADMIN: "The CRM, editing object types and properties, purging records, "
        "and reading the audit log.",
        accounts.Role.MEMBER: "The CRM's records and the user's own notifications.",
    },
)
described_enum(
    accounts.AuthMethod,
    "How a session was signed in.",
    {
        accounts.AuthMethod.PASSWORD: "With a password (`login` or `acceptInvitation`): a "
        "restore needs a two-factor step-up (`reauthenticate`).",
        accounts.AuthMethod.SSO: "With the identity provider (`loginWithSso`), which did its own "
        "second factor: a restore needs no step-up.",
    },
)
described_enum(
    accounts.Scope,
    "What an API token may do. A person's session may do all of it, within its role; whatever "
    "no scope names (users, two-factor, tokens, changing records, notifications) is for people "
    "alone.",
    {
        accounts.Scope.READ: "Read the account: backups, the schedule, restores, imports, "
        "records, object types, the audit log, and their subscriptions.",
        accounts.Scope.BACKUPS: "Request a manual backup (`createBackup`), within the quota.",
        accounts.Scope.DOWNLOADS: "Ask for download links: backups, import error rows, refused "
        "rows, the audit log export.",
        accounts.Scope.SCHEDULES: "Change the recurring backup schedule (`updateBackupSchedule`).",
        accounts.Scope.RESTORES: "Plan restores and reverts. Starting one still needs a "
        "person's step-up: with a token, it is REAUTH_REQUIRED.",
    },
)


@strawberry.type(
    description="The company whose CRM is backed up: every user and record belongs to one."
)
class Account:
    id: strawberry.ID = strawberry.field(description="The account's id.")
    name: str = strawberry.field(description="The account's name, as shown to its users.")
    tier: accounts.Tier = strawberry.field(
        description="The account's plan: the manual backup quota and scheduled backups."
    )
    created_at: datetime = strawberry.field(description="When the account was created (UTC).")
    model: strawberry.Private[accounts.Account]

    backup_retention_days: int = strawberry.field(
        description="Days a manual backup can be downloaded and restored from after it "
        "completes (1 to 365; 14 unless a SUPER_ADMIN changed it with updateBackupRetention)."
    )
    scheduled_backup_retention_days: int = strawberry.field(
        description="The same for scheduled backups (1 to 365; 14 unless changed)."
    )

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
            backup_retention_days=account.backup_retention_days,
            scheduled_backup_retention_days=account.scheduled_backup_retention_days,
            model=account,
        )


@strawberry.type(
    description="A user of the account. Listed for SUPER_ADMIN (`users`); anyone sees "
    "themselves (`me`)."
)
class User:
    id: strawberry.ID = strawberry.field(description="The user's id.")
    email: str = strawberry.field(description="The sign-in email, unique across the service.")
    name: str = strawberry.field(description="The display name; may be empty.")
    role: accounts.Role = strawberry.field(description="What the user may do in the account.")
    has_password: bool = strawberry.field(
        description="False while an invited user has not accepted the invitation."
    )
    created_at: datetime = strawberry.field(description="When the user was invited or created.")
    last_login_at: datetime | None = strawberry.field(
        description="The last sign-in, by any method; null if never."
    )
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
    name: str = strawberry.field(description="The display name; may be empty.")
    email: str = strawberry.field(description="The email to write to.")

    @classmethod
    def from_model(cls, user: accounts.User) -> Self:
        return cls(name=user.name, email=user.email)


@strawberry.type(description="The signed-in user and their session.")
class Me:
    user: User = strawberry.field(description="The signed-in user.")
    account: Account = strawberry.field(description="The user's account.")
    auth_method: accounts.AuthMethod = strawberry.field(
        description="How this session was signed in."
    )
    session_expires_at: datetime = strawberry.field(
        description="When the session's token stops working (7 days after sign-in): sign in again."
    )
    totp_enrolled: bool = strawberry.field(
        description="Two-factor is set up: a PASSWORD session needs it to re-authenticate."
    )
    recovery_codes_remaining: int = strawberry.field(
        description="Unused two-factor recovery codes."
    )

    @classmethod
    def from_signed_in(cls, signed_in: SignedIn) -> Self:
        return cls(
            user=User.from_model(signed_in.viewer.user),
            account=Account.from_model(signed_in.account),
            auth_method=signed_in.auth_method,
            session_expires_at=signed_in.session_expires_at,
            totp_enrolled=signed_in.totp_enrolled,
            recovery_codes_remaining=signed_in.recovery_codes_left,
        )


@strawberry.type(description="A new session.")
class LoginPayload:
    token: str = strawberry.field(
        description="Send as `Authorization: Bearer <token>` (or in the websocket's "
        "`connection_init` payload); valid 7 days or until `logout`. Shown only now."
    )
    user: User = strawberry.field(description="The signed-in user.")

    @classmethod
    def from_session(cls, token: str, user: accounts.User) -> Self:
        return cls(token=token, user=User.from_model(user))


@strawberry.type(description="An invited user and the token that lets them in.")
class InviteUserPayload:
    user: User = strawberry.field(description="The invited user, without a password yet.")
    invitation_token: str = strawberry.field(
        description="Shown once: the invitee redeems it with `acceptInvitation` within 7 days."
    )


@strawberry.type(
    description="A two-factor secret being set up; confirm it with `confirmTotpEnrollment`."
)
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


@strawberry.type(description="Two-factor recovery codes, each usable once.")
class RecoveryCodes:
    codes: list[str] = strawberry.field(
        description="Shown only now: each one works once where a two-factor code is asked for. "
        "They replace any earlier ones."
    )


@strawberry.type(description="A step-up: what the session may do, and until when.")
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


@strawberry.type(description="A credential for automation, listed for SUPER_ADMIN only.")
class ApiToken:
    id: strawberry.ID = strawberry.field(description="What `revokeApiToken` takes.")
    name: str = strawberry.field(description="What the token is for (at most 100 characters).")
    scopes: list[accounts.Scope] = strawberry.field(description="What the token may do.")
    created_by: SuperAdmin = strawberry.field(
        description="The super admin who created it; the token acts as them, with their "
        "current role, and stops while they are disabled."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    expires_at: datetime = strawberry.field(
        description="When it stops working (at most 365 days after creation)."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked; null: it was not."
    )
    last_used_at: datetime | None = strawberry.field(
        description="When it was last used, to the minute; null: never."
    )
    last_used_address: str | None = strawberry.field(
        description="The client address it was last used from; null: never used."
    )

    @classmethod
    def from_model(cls, token: accounts.ApiToken) -> Self:
        return cls(
            id=strawberry.ID(str(token.id)),
            name=token.name,
            scopes=[accounts.Scope(scope) for scope in token.scopes],
            created_by=SuperAdmin.from_model(token.created_by),
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
            last_used_address=token.last_used_address,
        )


@strawberry.type(description="A new API token, with its secret.")
class CreateApiTokenPayload:
    token: ApiToken = strawberry.field(description="The token as listed by `apiTokens`.")
    secret: str = strawberry.field(
        description="Shown once and never again (only a keyed hash is kept): send it as "
        "`Authorization: Bearer <secret>`."
    )
