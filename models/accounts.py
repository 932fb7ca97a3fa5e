from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.ids import new_id


class Tier(StrEnum):
    STARTER = "STARTER"
    PROFESSIONAL = "PROFESSIONAL"
    ENTERPRISE = "ENTERPRISE"


class Role(StrEnum):
    SUPER_ADMIN = "SUPER_ADMIN"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


class AuthMethod(StrEnum):
    PASSWORD = "PASSWORD"
    SSO = "SSO"


class Scope(StrEnum):
    """What an API token may do; a session may do all of it (within its role)."""

    READ = "READ"
    BACKUPS = "BACKUPS"
    DOWNLOADS = "DOWNLOADS"
    SCHEDULES = "SCHEDULES"
    RESTORES = "RESTORES"


class Account(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    name = fields.CharField(max_length=200)
    tier = fields.CharEnumField(Tier, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    # When the manual-backup quota allows the next one; null: now.
    next_manual_backup_at = fields.DatetimeField(null=True)
    # Days a completed backup stays downloadable and restorable: manual, and scheduled ones.
    backup_retention_days = fields.IntField(default=14, db_default=14)
    scheduled_backup_retention_days = fields.IntField(default=14, db_default=14)

    class Meta:
        table = "accounts"


class User(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="users", on_delete=fields.CASCADE
    )
    # Sign-in is by email alone, so an address belongs to one user across all accounts.
    email = fields.CharField(max_length=320, unique=True)
    name = fields.CharField(max_length=200, default="")
    role = fields.CharEnumField(Role, max_length=16)
    password_hash = fields.CharField(max_length=200, null=True)
    invitation_token_hash = fields.CharField(max_length=64, null=True, unique=True)
    invitation_expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)
    # TOTP secrets, encrypted with a key derived from SECRET_KEY; never stored in plain text.
    totp_secret_encrypted = fields.TextField(null=True)
    # An enrollment started but not yet confirmed with a code.
    totp_pending_secret_encrypted = fields.TextField(null=True)
    # The last accepted TOTP time step: only a later one is accepted (no replay).
    totp_last_step = fields.BigIntField(null=True)
    # Set while a super admin has the user disabled: no sign-in, and no session left.
    disabled_at = fields.DatetimeField(null=True)

    account_id: UUID

    class Meta:
        table = "users"


class Session(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="sessions", on_delete=fields.CASCADE
    )
    # Only a hash of the bearer token is kept: a leaked table grants no access.
    token_hash = fields.CharField(max_length=64, unique=True)
    auth_method = fields.CharEnumField(AuthMethod, max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)
    reauthenticated_at = fields.DatetimeField(null=True)

    user_id: UUID

    class Meta:
        table = "sessions"


# One TOTP code checked for a user. Recorded before the check, so parallel guesses count.
class TotpAttempt(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="totp_attempts", on_delete=fields.CASCADE
    )
    attempted_at = fields.DatetimeField()
    succeeded = fields.BooleanField(default=False)

    user_id: UUID

    class Meta:
        table = "totp_attempts"
        indexes = (("user_id", "attempted_at"),)


# A two-factor recovery code, for when the authenticator is lost. Hashed like a password (the
# code is shown once); spent by setting `used_at` with a compare-and-set.
class RecoveryCode(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    used_at = fields.DatetimeField(null=True)

    user_id: UUID

    class Meta:
        table = "recovery_codes"


# A credential for automation: it acts as the super admin who created it, within its scopes,
# until it expires or is revoked. Only a keyed hash of its secret is kept (shown once).
class ApiToken(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="api_tokens", on_delete=fields.CASCADE
    )
    created_by: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="api_tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    secret_hash = fields.CharField(max_length=64, unique=True)
    # `Scope` values, in the enum's order.
    scopes: list[str] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    last_used_address = fields.CharField(max_length=64, null=True)

    account_id: UUID
    created_by_id: UUID

    class Meta:
        table = "api_tokens"


# An address a token was used from: the first use from each one is audit-logged, once (the
# unique pair settles two requests that arrive together).
class ApiTokenAddress(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    token: fields.ForeignKeyRelation[ApiToken] = fields.ForeignKeyField(
        "crm.ApiToken", related_name="addresses", on_delete=fields.CASCADE
    )
    address = fields.CharField(max_length=64)
    first_used_at = fields.DatetimeField()

    token_id: UUID

    class Meta:
        table = "api_token_addresses"
        unique_together = (("token", "address"),)
