"""Limits on password sign-in, over the API: lockouts per email and per client address."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from models.accounts import Role
from services.core.clock import now
from tests.support.audit import audited, times_audited
from tests.support.graphql import GraphQLClient
from tests.support.login_attempts import (
    LIMITS,
    MAX_ALIASES,
    client_at,
    login,
    logins,
    loopback_address,
    outcome,
)
from tests.support.servers import Server
from tests.support.settings import isolated_settings
from tests.support.tenants import PASSWORD, MakeTenant, unique_email
from tests.support.websocket import signed_in

WRONG = "not the password"
FREE = LIMITS.free_attempts


@pytest.fixture
async def client(server: Server) -> AsyncIterator[GraphQLClient]:
    """A client at an address of this test's own."""
    async with client_at(server.url, loopback_address()) as gql:
        yield gql


async def test_wrong_passwords_lock_the_email_until_retry_at(
    client: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    user = tenant.users[Role.MEMBER]
    for _ in range(FREE):
        assert outcome(await login(client, user.email, WRONG)) == "UNAUTHENTICATED"

    before = now()
    locked = await login(client, user.email, WRONG)
    assert outcome(locked) == "RATE_LIMITED"
    retry_at = datetime.fromisoformat(locked["errors"][0]["extensions"]["retryAt"])
    assert before < retry_at <= before + LIMITS.first_lockout
    [event] = await audited("LOGIN_LOCKED", str(user.id))
    assert event.account_id == tenant.account.id
    assert set(event.details) == {"retryAt", "clientAddress"}


async def test_the_right_password_is_refused_while_locked(
    client: GraphQLClient, make_tenant: MakeTenant
) -> None:
    user = (await make_tenant(passwords=True)).users[Role.MEMBER]
    for _ in range(FREE):
        await login(client, user.email, WRONG)
    assert outcome(await login(client, user.email, PASSWORD)) == "RATE_LIMITED"
    assert await times_audited(user, "LOGIN") == 0


async def test_each_aliased_login_is_checked_and_counted(
    client: GraphQLClient, make_tenant: MakeTenant
) -> None:
    # Mutations run one after another, and a failed `login` ends the document: each document
    # below counts exactly one failure, whatever its other aliases.
    user = (await make_tenant(passwords=True)).users[Role.MEMBER]
    for _ in range(FREE):
        outcomes = await logins(client, [(user.email, WRONG)] * MAX_ALIASES)
        assert outcomes == ["UNAUTHENTICATED"]
    outcomes = await logins(client, [(user.email, PASSWORD)] * MAX_ALIASES)
    assert outcomes == ["RATE_LIMITED"]
    assert await times_audited(user, "LOGIN") == 0


async def test_a_login_over_the_websocket_is_refused_and_checks_nothing(
    server: Server, client: GraphQLClient, make_tenant: MakeTenant
) -> None:
    """Mutations go over POST: guesses sent over a socket are refused before any password is
    checked, so they neither sign in nor count towards a lockout."""
    tenant = await make_tenant(passwords=True)
    target = tenant.users[Role.MEMBER].email
    async with signed_in(server.websocket_url, tenant.admin) as socket:
        for _ in range(FREE + 2):
            operation = await socket.subscribe(
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                {"e": target, "p": WRONG},
            )
            refused = await socket.receive()
            assert (refused["id"], refused["type"]) == (operation, "error"), refused
            assert refused["payload"][0]["extensions"]["code"] == "POST_REQUIRED"
    assert outcome(await login(client, target, PASSWORD)) == "SIGNED_IN"


async def test_an_unknown_email_locks_alike(client: GraphQLClient, make_tenant: MakeTenant) -> None:
    known = (await make_tenant(passwords=True)).users[Role.MEMBER].email
    unknown = unique_email("nobody")
    answers = {}
    for email in (known, unknown):
        for _ in range(FREE):
            assert outcome(await login(client, email, WRONG)) == "UNAUTHENTICATED"
        answers[email] = (await login(client, email, WRONG))["errors"][0]
    assert answers[known]["message"] == answers[unknown]["message"]
    assert answers[known]["extensions"].keys() == answers[unknown]["extensions"].keys()
    assert answers[unknown]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_success_forgets_the_emails_failures(
    client: GraphQLClient, make_tenant: MakeTenant
) -> None:
    user = (await make_tenant(passwords=True)).users[Role.MEMBER]
    for _ in range(FREE - 1):
        await login(client, user.email, WRONG)
    assert outcome(await login(client, user.email, PASSWORD)) == "SIGNED_IN"
    for _ in range(FREE):
        assert outcome(await login(client, user.email, WRONG)) == "UNAUTHENTICATED"


async def test_one_address_is_limited_across_many_emails(
    server: Server, client: GraphQLClient, make_tenant: MakeTenant
) -> None:
    for _ in range(LIMITS.free_attempts_per_address):
        assert outcome(await login(client, unique_email("sprayed"), WRONG)) == "UNAUTHENTICATED"

    user = (await make_tenant(passwords=True)).users[Role.MEMBER]
    assert outcome(await login(client, user.email, PASSWORD)) == "RATE_LIMITED"
    async with client_at(server.url, loopback_address()) as elsewhere:
        assert outcome(await login(elsewhere, user.email, PASSWORD)) == "SIGNED_IN"


@pytest.mark.parametrize(
    "values",
    [
        {"login_lockout_seconds": 1000, "login_max_lockout_seconds": 900},
        {"login_max_lockout_seconds": 7200, "login_window_seconds": 3600},
        {"login_free_attempts": 0},
    ],
)
def test_settings_refuse_limits_that_contradict_each_other(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match=r"LOGIN_|greater than or equal"):
        isolated_settings(secret_key="s" * 32, **values)


def test_settings_carry_the_limits_to_sign_in() -> None:
    limits = isolated_settings(login_free_attempts=3, login_lockout_seconds=10).login_limits
    assert limits.schedule(limits.free_attempts).lockouts[:4] == (0, 0, 10, 20)
