import threading
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from models.accounts import Role
from models.audit import AuditEvent
from services.accounts import sessions as auth
from services.accounts.sso import REFUSED
from services.accounts.step_up import TotpNotEnrolled, require_step_up
from services.core.environment import SsoConfig
from tests.support.graphql import GraphQLClient
from tests.support.servers import Server
from tests.support.settings import isolated_settings
from tests.support.sso import (
    AUDIENCE,
    ISSUER,
    LOGIN,
    Key,
    claims,
    forged,
    jwks,
    public_pem,
    refusal,
    serving_sso,
    signed,
    sso_settings,
    with_claims_of,
)
from tests.support.start_up import loaded_at_start
from tests.support.tenants import Tenant

ME = "{ me { authMethod } }"


@pytest.fixture(scope="module")
def provider_key() -> Key:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> Key:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_file(provider_key: Key, tmp_path: Path) -> Path:
    path = tmp_path / "jwks.json"
    path.write_text(jwks(provider_key))
    return path


@pytest.fixture
def sso(server: Server, jwks_file: Path) -> Iterator[None]:
    with serving_sso(sso_settings(sso_jwks_file=jwks_file).sso):
        yield


async def test_a_valid_token_starts_an_sso_session(
    gql: GraphQLClient, tenant: Tenant, provider_key: Key, sso: None
) -> None:
    user = tenant.users[Role.SUPER_ADMIN]
    # Email addresses match whatever their case.
    id_token = signed(provider_key, claims(user.email.upper()))
    login = (await gql.data(LOGIN, {"idToken": id_token}))["loginWithSso"]
    assert login["user"] == {"email": user.email}
    assert (await gql.data(ME, token=login["token"]))["me"] == {"authMethod": "SSO"}

    # The identity provider vouched for it: no TOTP step-up, though none is enrolled.
    require_step_up(await auth.authenticate(login["token"]))
    with pytest.raises(TotpNotEnrolled):
        require_step_up(await auth.authenticate(tenant.super_admin))

    event = await AuditEvent.get(actor_id=user.id, action="LOGIN")
    assert event.details == {"method": "SSO"}


CLAIM_REFUSALS = {
    "wrong issuer": {"iss": "https://elsewhere.example.com"},
    "wrong audience": {"aud": "another-client"},
    "expired": {"iat": -600, "exp": -120},
    "not yet valid": {"nbf": 300},
    "issued in the future": {"iat": 300},
    "no expiry": {"exp": None},
    "no email": {"email": None},
    "unverified email": {"email_verified": False},
    "unknown email": {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com"},
}


@pytest.mark.parametrize("changes", CLAIM_REFUSALS.values(), ids=CLAIM_REFUSALS.keys())
async def test_tokens_with_bad_claims_are_refused_alike(
    gql: GraphQLClient, tenant: Tenant, provider_key: Key, sso: None, changes: dict[str, Any]
) -> None:
    body = claims(tenant.users[Role.ADMIN].email, **changes)
    error = await refusal(gql, signed(provider_key, body))
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    # One message for all: an unknown email looks like any other bad token.
    assert error["message"] == REFUSED


# Every form of email_verified but the JSON boolean true: absent, null, false, strings and numbers.
UNPROVEN_EMAILS: dict[str, dict[str, Any]] = {
    "absent": {},
    "null": {"email_verified": None},
    "false": {"email_verified": False},
    '"false"': {"email_verified": "false"},
    '"False"': {"email_verified": "False"},
    '"0"': {"email_verified": "0"},
    "0": {"email_verified": 0},
    '"true"': {"email_verified": "true"},
    '"True"': {"email_verified": "True"},
    '"1"': {"email_verified": "1"},
    "1": {"email_verified": 1},
    "[true]": {"email_verified": [True]},
}


@pytest.mark.parametrize("flag", UNPROVEN_EMAILS.values(), ids=UNPROVEN_EMAILS.keys())
async def test_only_a_boolean_true_email_verified_signs_in(
    gql: GraphQLClient, tenant: Tenant, provider_key: Key, sso: None, flag: dict[str, Any]
) -> None:
    # A super admin: the account whose takeover would cost the most, restores without step-up.
    user = tenant.users[Role.SUPER_ADMIN]
    body = claims(user.email, email_verified=None) | flag
    error = await refusal(gql, signed(provider_key, body))
    assert (error["extensions"], error["message"]) == ({"code": "UNAUTHENTICATED"}, REFUSED)
    assert not await AuditEvent.filter(actor_id=user.id, action="LOGIN").exists()


Forge = Callable[[Key, Key, dict[str, Any]], str]
SIGNATURE_REFUSALS: dict[str, Forge] = {
    "signed by another key": lambda ours, theirs, body: signed(theirs, body),
    "unknown key id": lambda ours, theirs, body: signed(ours, body, kid="key-2"),
    "altered claims": lambda ours, theirs, body: with_claims_of(
        signed(ours, claims("someone-else@example.com")), body
    ),
    "HS256 keyed with the public key": lambda ours, theirs, body: forged(
        "HS256", body, public_pem(ours)
    ),
    "alg none": lambda ours, theirs, body: forged("none", body, None),
    "not a token": lambda ours, theirs, body: "not-a-token",
}


@pytest.mark.parametrize("forge", SIGNATURE_REFUSALS.values(), ids=SIGNATURE_REFUSALS.keys())
async def test_tokens_not_signed_by_the_provider_are_refused(
    gql: GraphQLClient,
    tenant: Tenant,
    provider_key: Key,
    other_key: Key,
    sso: None,
    forge: Forge,
) -> None:
    body = claims(tenant.users[Role.ADMIN].email)
    error = await refusal(gql, forge(provider_key, other_key, body))
    assert (error["extensions"], error["message"]) == ({"code": "UNAUTHENTICATED"}, REFUSED)


async def test_without_configuration_sso_is_unavailable(
    gql: GraphQLClient, tenant: Tenant, provider_key: Key
) -> None:
    id_token = signed(provider_key, claims(tenant.users[Role.ADMIN].email))
    assert await gql.error_code(LOGIN, {"idToken": id_token}) == "SSO_NOT_CONFIGURED"


@pytest.fixture
def jwks_endpoint(provider_key: Key) -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server publishing the provider's keys; the list records each request."""
    document, requests = jwks(provider_key).encode(), []

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/keys", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_keys_from_a_url_are_fetched_then_cached(
    gql: GraphQLClient,
    server: Server,
    tenant: Tenant,
    provider_key: Key,
    other_key: Key,
    jwks_endpoint: tuple[str, list[str]],
) -> None:
    url, requests = jwks_endpoint
    body = claims(tenant.users[Role.MEMBER].email)
    with serving_sso(sso_settings(sso_jwks_url=url).sso):
        for _ in range(2):
            await gql.data(LOGIN, {"idToken": signed(provider_key, body)})
        error = await refusal(gql, signed(other_key, body))
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert requests == ["/keys"]


def test_settings_map_to_the_sso_configuration(jwks_file: Path) -> None:
    assert isolated_settings().sso is None
    assert sso_settings(sso_jwks_file=jwks_file).sso == SsoConfig(
        issuer=ISSUER, audience=AUDIENCE, jwks_file=jwks_file
    )


INCOMPLETE = {
    "issuer alone": {"sso_issuer": ISSUER},
    "no keys": {"sso_issuer": ISSUER, "sso_audience": AUDIENCE},
    "keys from two places": {
        "sso_issuer": ISSUER,
        "sso_audience": AUDIENCE,
        "sso_jwks_file": "jwks.json",
        "sso_jwks_url": "https://id.example.com/keys",
    },
    "no such file": {"sso_issuer": ISSUER, "sso_audience": AUDIENCE, "sso_jwks_file": "absent"},
    "keys over plain HTTP": {
        "sso_issuer": ISSUER,
        "sso_audience": AUDIENCE,
        "sso_jwks_url": "http://id.example.com/keys",
    },
}


@pytest.mark.parametrize("values", INCOMPLETE.values(), ids=INCOMPLETE.keys())
def test_settings_refuse_an_incomplete_sso_configuration(
    values: dict[str, Any], jwks_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(jwks_file.parent)
    with pytest.raises(ValidationError, match=r"SSO|https"):
        isolated_settings(**values)


def test_the_token_library_waits_for_the_first_sso_sign_in() -> None:
    # The workers never sign anyone in: 2.5 MB each.
    assert loaded_at_start(("jwt", "services.accounts.sso")) == []
