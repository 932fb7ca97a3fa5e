"""Single sign-on: an OpenID Connect ID token from the configured identity provider signs a user
in, with a session whose auth method is SSO."""

import asyncio
import functools
import logging
from datetime import timedelta

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKClientConnectionError, PyJWKSet

from models.accounts import AuthMethod, User
from services.accounts import metrics
from services.accounts.sessions import sign_in
from services.core import environment
from services.core.environment import SsoConfig
from services.core.errors import DomainError, ErrorCode, Unauthenticated

log = logging.getLogger("crm_backup.sso")

# Pinned here, never read from the token: a token cannot choose `none`, or HS256 with the
# provider's public key as the HMAC secret.
ALGORITHMS = ["RS256"]
# Clock skew tolerated between the provider and this server.
LEEWAY = timedelta(seconds=60)
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]
JWKS_CACHE_SECONDS = 300
# One message for every refusal, an unknown email included: it does not reveal who has an account.
REFUSED = "The sign-in token is invalid or expired, or its email belongs to no user."


class SsoNotConfigured(DomainError):
    code = ErrorCode.SSO_NOT_CONFIGURED


async def login_with_sso(id_token: str) -> tuple[str, User]:
    """A session token for the user the ID token names by email."""
    config = environment.current().sso
    if config is None:
        raise SsoNotConfigured("Single sign-on is not configured on this server.")
    try:
        email = await _verified_email(config, id_token)
        user = await User.get_or_none(email=email.strip().lower())
        if user is None:
            log.info("SSO sign-in refused: no user has the token's email")
            raise Unauthenticated(REFUSED)
    except Unauthenticated:
        metrics.login_failures.labels("sso_refused").inc()
        raise
    return await sign_in(user, AuthMethod.SSO), user


async def _verified_email(config: SsoConfig, id_token: str) -> str:
    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
        key = await asyncio.to_thread(_signing_key, config, kid)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=ALGORITHMS,
            audience=config.audience,
            issuer=config.issuer,
            leeway=LEEWAY,
            options={"require": REQUIRED_CLAIMS},
        )
    except PyJWKClientConnectionError:
        # The provider's keys are out of reach: our failure, not a bad token.
        raise
    except jwt.PyJWTError as error:
        log.info("SSO sign-in refused: %s", error)
        raise Unauthenticated(REFUSED) from None
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        log.info("SSO sign-in refused: no email in the token")
        raise Unauthenticated(REFUSED)
    # Only the JSON boolean true vouches for the address: an absent or null claim, a string or a
    # number is the provider's silence or a misreading, and the email would sign in unproven.
    verified = claims.get("email_verified")
    if verified is not True:
        log.info("SSO sign-in refused: email_verified is %r, not true", verified)
        raise Unauthenticated(REFUSED)
    return email


def _signing_key(config: SsoConfig, kid: str | None) -> PyJWK:
    """The provider's RSA signing key named `kid`. Blocking (file or network): run in a thread."""
    if config.jwks_file is not None:
        # Read on every sign-in: a rotated file takes effect without a restart.
        key = _key_in(PyJWKSet.from_json(config.jwks_file.read_text()), kid)
    elif config.jwks_url is not None:
        key = _jwks_client(config.jwks_url).get_signing_key(kid or "")
    else:
        raise RuntimeError("The SSO configuration names no keys (file or URL)")
    if key.key_type != "RSA" or key.public_key_use not in ("sig", None):
        raise jwt.InvalidKeyError(f"key {kid!r} is not an RSA signing key")
    return key


def _key_in(keys: PyJWKSet, kid: str | None) -> PyJWK:
    for key in keys:
        if key.key_id == kid:
            return key
    raise jwt.PyJWKError(f"no key {kid!r} in the JWKS file")


@functools.cache
def _jwks_client(url: str) -> PyJWKClient:
    # One client per URL, whose cache outlives a request; an unknown `kid` refetches (rotation).
    return PyJWKClient(url, lifespan=JWKS_CACHE_SECONDS, timeout=10)
