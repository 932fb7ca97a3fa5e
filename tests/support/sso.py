"""An OpenID Connect provider played by the tests: keys they generate, ID tokens they sign,
and tokens forged in every way a provider never would."""

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from server.settings import Settings
from services.core import environment
from services.core.environment import SsoConfig
from tests.support.graphql import GraphQLClient
from tests.support.settings import isolated_settings

ISSUER = "https://id.example.com"
AUDIENCE = "crm-backup-client"
KID = "key-1"
LOGIN = """
mutation($idToken: String!) {
  loginWithSso(idToken: $idToken) { token user { email } }
}
"""

Key = rsa.RSAPrivateKey


def jwks(key: Key) -> str:
    public = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return json.dumps({"keys": [public | {"kid": KID, "use": "sig", "alg": "RS256"}]})


def sso_settings(**keys: Any) -> Settings:
    return isolated_settings(sso_issuer=ISSUER, sso_audience=AUDIENCE, **keys)


@contextlib.contextmanager
def serving_sso(config: SsoConfig | None) -> Iterator[None]:
    """The running server reads the SSO configuration from its environment at each sign-in."""
    before = environment.current()
    environment.configure(dataclasses.replace(before, sso=config))
    try:
        yield
    finally:
        environment.configure(before)


def claims(email: str, /, **changes: Any) -> dict[str, Any]:
    """Valid claims for `email`, with changes; times in `changes` are seconds from now, and
    None drops a claim."""
    issued = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "provider-user-1",
        "iat": 0,
        "exp": 300,
        "email": email,
        "email_verified": True,
    } | changes
    for name in ("iat", "exp", "nbf"):
        if body.get(name) is not None:
            body[name] += issued
    return {name: value for name, value in body.items() if value is not None}


def signed(key: Key, body: dict[str, Any], kid: str = KID) -> str:
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(alg: str, body: dict[str, Any], hmac_secret: bytes | None) -> str:
    """Built by hand: PyJWT itself refuses to sign with `none`-like or key-confused settings."""
    header = b64url(json.dumps({"alg": alg, "typ": "JWT", "kid": KID}).encode())
    signing_input = f"{header}.{b64url(json.dumps(body).encode())}"
    signature = b""
    if hmac_secret is not None:
        signature = hmac.new(hmac_secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def public_pem(key: Key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def with_claims_of(token: str, body: dict[str, Any]) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{b64url(json.dumps(body).encode())}.{signature}"


async def refusal(gql: GraphQLClient, id_token: str) -> dict[str, Any]:
    body = await gql.raw(LOGIN, {"idToken": id_token})
    [error] = body["errors"]
    return dict(error)
