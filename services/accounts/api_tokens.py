"""API tokens: credentials for automation, without a password or a two-factor code.

A token acts as the super admin who created it, with that user's current role, limited to its
scopes, until it expires or is revoked. Its secret is shown once; only a keyed hash is kept.
Restores still need a step-up, which a token can never give: a token is not a person.
"""

import secrets
from datetime import datetime, timedelta
from uuid import UUID

from tortoise.exceptions import IntegrityError

from models.accounts import ApiToken, ApiTokenAddress, Role, Scope
from services import activity
from services.accounts import access_changes
from services.core import encryption, log_context
from services.core.clock import now
from services.core.errors import NotFound, Unauthenticated, ValidationFailed
from services.core.ids import parse_id
from services.core.text import check_text, column_length
from services.core.viewer import Viewer

# Says what the secret is (in a log line, a secret scanner's rules) and tells it from a session.
SECRET_PREFIX = "crmb_"
MAX_LIFETIME_DAYS = 365
# A token in steady use records its use at most this often (a write per request is not needed
# to say "last used"); a new address is recorded at once.
USE_RECORDED_EVERY = timedelta(minutes=1)
HASH_PURPOSE = "api-token"
NEW_ADDRESS_ACTION = "API_TOKEN_USED_FROM_NEW_ADDRESS"


def is_api_token(secret: str) -> bool:
    return secret.startswith(SECRET_PREFIX)


def hash_secret(secret: str) -> str:
    """A keyed hash (HMAC-SHA256), not a slow password hash: the secret is 256 random bits,
    which no guessing can reach however fast each guess is, so key stretching would only slow
    every request. Being deterministic, the hash is looked up by an index; being keyed (by
    SECRET_KEY), a leaked table does not even let a guess be checked."""
    return encryption.keyed_digest(HASH_PURPOSE, secret)


def _check_lifetime(expires_in_days: int) -> timedelta:
    if not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
        raise ValidationFailed(
            f"expiresInDays: from 1 to {MAX_LIFETIME_DAYS} days.", field="expiresInDays"
        )
    return timedelta(days=expires_in_days)


def _check_scopes(scopes: list[Scope]) -> list[str]:
    if not scopes:
        raise ValidationFailed("scopes: name at least one.", field="scopes")
    return [scope.value for scope in Scope if scope in scopes]


def _check_name(name: str) -> str:
    name = check_text(name.strip(), "name", column_length(ApiToken, "name"))
    if not name:
        raise ValidationFailed("name: say what the token is for.", field="name")
    return name


async def create_api_token(
    viewer: Viewer, name: str, scopes: list[Scope], expires_in_days: int
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is not kept and cannot be shown again."""
    viewer.require_person()
    viewer.require_role(Role.SUPER_ADMIN)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = await ApiToken.create(
        account_id=viewer.account_id,
        created_by=viewer.user,
        name=_check_name(name),
        secret_hash=hash_secret(secret),
        scopes=_check_scopes(scopes),
        expires_at=now() + _check_lifetime(expires_in_days),
    )
    await _record(token, viewer.user.id, "API_TOKEN_CREATED", scopes=token.scopes)
    return token, secret


async def list_api_tokens(viewer: Viewer) -> list[ApiToken]:
    """The account's tokens, revoked and expired ones too, newest first, with their creators."""
    viewer.require_person()
    viewer.require_role(Role.SUPER_ADMIN)
    tokens = ApiToken.filter(account_id=viewer.account_id).select_related("created_by")
    return await tokens.order_by("-created_at", "-id")


async def revoke_api_token(viewer: Viewer, token_id: str) -> ApiToken:
    """Stops the token at once, here and on every replica's open websockets. Revoking a
    revoked token changes nothing."""
    viewer.require_person()
    viewer.require_role(Role.SUPER_ADMIN)
    of_account = ApiToken.filter(account_id=viewer.account_id, id=parse_id(token_id))
    # Compare-and-set: of two revocations at once, one records it.
    revoked = await of_account.filter(revoked_at=None).update(revoked_at=now())
    token = await of_account.select_related("created_by").get_or_none()
    if token is None:
        raise NotFound("No such API token.")
    if revoked:
        await _record(token, viewer.user.id, "API_TOKEN_REVOKED")
        await access_changes.credential_ended(token.created_by_id, token.id)
    return token


async def authenticate(secret: str, client_address: str | None) -> Viewer:
    token = await ApiToken.get_or_none(secret_hash=hash_secret(secret)).select_related("created_by")
    if token is None or token.revoked_at is not None or token.expires_at <= now():
        raise Unauthenticated("The API token is unknown, revoked or expired.")
    if token.created_by.disabled_at is not None:
        raise Unauthenticated("The API token's creator is disabled.")
    log_context.set_account(token.account_id)
    await _record_use(token, client_address)
    # After its own entry about the address, which names it as its target already.
    log_context.set_api_token(token.id)
    return Viewer(user=token.created_by, token=token)


async def _record_use(token: ApiToken, address: str | None) -> None:
    at = now()
    moved = address is not None and address != token.last_used_address
    if address is not None and moved and await _first_use_from(token, address, at):
        await _record(token, token.created_by_id, NEW_ADDRESS_ACTION, address=address)
    if moved or token.last_used_at is None or at - token.last_used_at >= USE_RECORDED_EVERY:
        token.last_used_at = at
        token.last_used_address = address or token.last_used_address
        await ApiToken.filter(id=token.id).update(
            last_used_at=at, last_used_address=token.last_used_address
        )


async def _first_use_from(token: ApiToken, address: str, at: datetime) -> bool:
    """Whether this is the token's first use from `address` (recorded now, once)."""
    if await ApiTokenAddress.exists(token_id=token.id, address=address):
        return False
    try:
        await ApiTokenAddress.create(token_id=token.id, address=address, first_used_at=at)
    except IntegrityError:  # the same address, in a request that came at the same moment
        return False
    return True


async def _record(token: ApiToken, actor_id: UUID, action: str, **details: object) -> None:
    await activity.record_event(
        token.account_id,
        actor_id,
        action,
        target_type="api_token",
        target_id=token.id,
        name=token.name,
        **details,
    )
