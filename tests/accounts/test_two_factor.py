import asyncio
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from cryptography.fernet import InvalidToken

from models.accounts import Role, Session, TotpAttempt, User
from services.accounts import sessions as auth
from services.accounts import totp
from services.accounts.step_up import ReauthRequired, TotpNotEnrolled
from services.core import encryption
from services.core.clock import now
from tests.support.audit import times_audited
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.servers import Server
from tests.support.start_up import loaded_at_start
from tests.support.tenants import Tenant
from tests.support.two_factor import (
    CONFIRM,
    REAUTH,
    START_ENROLLMENT,
    assert_at_most_five_checked,
    code,
    enroll,
    reauthenticate,
    steady_clock,
    step_up_check,
    wrong_code,
)
from tests.support.websocket import signed_in

ENROLLED = "{ me { totpEnrolled } }"


async def test_enrollment_round_trip(gql: GraphQLClient, tenant: Tenant) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    assert (await gql.data(ENROLLED, token=token))["me"] == {"totpEnrolled": False}

    enrollment = (await gql.data(START_ENROLLMENT, token=token))["startTotpEnrollment"]
    secret = enrollment["secret"]
    uri = urlsplit(enrollment["otpauthUri"])
    assert (uri.scheme, uri.netloc, unquote(uri.path)) == (
        "otpauth",
        "totp",
        f"/crm-backup:{user.email}",
    )
    assert parse_qs(uri.query)["secret"] == [secret]
    assert parse_qs(uri.query)["issuer"] == ["crm-backup"]
    qr = enrollment["qrCodeSvgDataUri"]
    assert qr.startswith("data:image/svg+xml") and "<svg" in unquote(qr)
    # Pending until confirmed.
    assert (await gql.data(ENROLLED, token=token))["me"] == {"totpEnrolled": False}

    generator = pyotp.TOTP(secret)
    assert await gql.error_code(CONFIRM, {"code": wrong_code(generator)}, token) == (
        "VALIDATION_FAILED"
    )
    await steady_clock()
    assert (await gql.data(CONFIRM, {"code": generator.now()}, token))["confirmTotpEnrollment"]
    assert (await gql.data(ENROLLED, token=token))["me"] == {"totpEnrolled": True}
    assert await times_audited(user, "TOTP_ENROLLED") == 1
    # Nothing is pending any more.
    assert await gql.error_code(CONFIRM, {"code": generator.now()}, token) == "VALIDATION_FAILED"

    stored = await User.get(id=user.id)
    assert stored.totp_pending_secret_encrypted is None
    assert stored.totp_secret_encrypted is not None
    assert secret not in stored.totp_secret_encrypted
    # Encrypted under the key for this purpose alone.
    sealed = stored.totp_secret_encrypted.encode()
    assert encryption.cipher(totp.ENCRYPTION_PURPOSE).decrypt(sealed).decode() == secret
    with pytest.raises(InvalidToken):
        encryption.cipher("another purpose").decrypt(sealed)


async def test_reenrolling_needs_a_current_code(gql: GraphQLClient, tenant: Tenant) -> None:
    token = tenant.super_admin
    old = await enroll(gql, token)

    missing = await gql.raw(START_ENROLLMENT, token=token)
    assert missing["errors"][0]["extensions"] == {
        "code": "VALIDATION_FAILED",
        "field": "currentCode",
    }
    assert (
        await gql.error_code(START_ENROLLMENT, {"current": wrong_code(old)}, token)
        == "VALIDATION_FAILED"
    )

    replaced = await gql.data(START_ENROLLMENT, {"current": code(old)}, token)
    new = pyotp.TOTP(replaced["startTotpEnrollment"]["secret"])
    assert new.secret != old.secret
    assert (await gql.data(CONFIRM, {"code": code(new)}, token))["confirmTotpEnrollment"]

    # Only the new secret's codes work now.
    assert error_codes(await reauthenticate(gql, token, code(old, 1))) == ["VALIDATION_FAILED"]
    assert error_codes(await reauthenticate(gql, token, code(new, 1))) == []


async def test_reauthenticate_opens_a_five_minute_step_up(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    assert await gql.error_code(REAUTH, {"code": "123456"}, token) == "TOTP_NOT_ENROLLED"
    with pytest.raises(TotpNotEnrolled):
        await step_up_check(token)

    generator = await enroll(gql, token)
    with pytest.raises(ReauthRequired):
        await step_up_check(token)

    until = (await gql.data(REAUTH, {"code": code(generator)}, token))["reauthenticate"]
    expected = now() + timedelta(minutes=5)
    gap = datetime.fromisoformat(until["reauthenticatedUntil"]) - expected
    assert abs(gap) < timedelta(seconds=10)
    await step_up_check(token)
    assert await times_audited(user, "REAUTHENTICATED") == 1

    await Session.filter(token_hash=auth.hash_token(token)).update(
        reauthenticated_at=now() - timedelta(minutes=6)
    )
    with pytest.raises(ReauthRequired):
        await step_up_check(token)


async def test_a_code_is_accepted_once(gql: GraphQLClient, tenant: Tenant) -> None:
    token = tenant.super_admin
    generator = await enroll(gql, token)
    value = code(generator)
    assert error_codes(await reauthenticate(gql, token, value)) == []
    replay = await reauthenticate(gql, token, value)
    assert error_codes(replay) == ["VALIDATION_FAILED"]
    assert "used already" in replay["errors"][0]["message"]


# Five at most: more, still pending, would count towards the lockout and be refused as such.
@pytest.mark.parametrize("requests", [2, 5])
async def test_parallel_requests_with_one_code_yield_one_success(
    gql: GraphQLClient, tenant: Tenant, requests: int
) -> None:
    token = tenant.super_admin
    generator = await enroll(gql, token)
    value = code(generator)
    results = await asyncio.gather(*(reauthenticate(gql, token, value) for _ in range(requests)))
    outcomes = Counter(tuple(error_codes(body)) for body in results)
    assert outcomes == {(): 1, ("VALIDATION_FAILED",): requests - 1}


async def test_codes_one_step_off_are_accepted_two_steps_off_are_not(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    generator = await enroll(gql, token)
    # As for a user whose last code is long past: the enrollment's step is not what refuses here.
    await User.filter(id=user.id).update(totp_last_step=None)
    await steady_clock()
    assert error_codes(await reauthenticate(gql, token, code(generator, -2))) == [
        "VALIDATION_FAILED"
    ]
    assert error_codes(await reauthenticate(gql, token, code(generator, 2))) == [
        "VALIDATION_FAILED"
    ]
    assert error_codes(await reauthenticate(gql, token, code(generator, -1))) == []
    assert error_codes(await reauthenticate(gql, token, code(generator, 1))) == []


async def test_five_failures_lock_until_they_are_fifteen_minutes_old(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    generator = await enroll(gql, token)
    for _ in range(5):
        failed = await reauthenticate(gql, token, wrong_code(generator))
        assert error_codes(failed) == ["VALIDATION_FAILED"]
    assert await times_audited(user, "TOTP_LOCKED") == 1

    # Even the right code is refused, and the error says when to retry.
    locked = await reauthenticate(gql, token, code(generator))
    assert error_codes(locked) == ["TOTP_LOCKED"]
    failures = await TotpAttempt.filter(user_id=user.id, succeeded=False).order_by("attempted_at")
    assert len(failures) == 5
    retry_at = datetime.fromisoformat(locked["errors"][0]["extensions"]["retryAt"])
    assert retry_at == failures[0].attempted_at + timedelta(minutes=15)

    await TotpAttempt.filter(user_id=user.id).update(
        attempted_at=now() - timedelta(minutes=15, seconds=1)
    )
    assert error_codes(await reauthenticate(gql, token, code(generator))) == []


async def test_aliases_in_one_document_count_one_by_one(gql: GraphQLClient, tenant: Tenant) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    generator = await enroll(gql, token)
    aliases = [f"a{index}" for index in range(7)]
    fields = [
        f'{alias}: reauthenticate(code: "{wrong_code(generator)}") {{ reauthenticatedUntil }}'
        for alias in aliases
    ]
    body = await gql.raw("mutation { " + " ".join(fields) + " }", token=token)
    by_alias = {error["path"][0]: error["extensions"]["code"] for error in body["errors"]}
    assert [by_alias[alias] for alias in aliases] == ["VALIDATION_FAILED"] * 5 + ["TOTP_LOCKED"] * 2
    # Refused attempts checked nothing: they are not failures that would prolong the lock.
    assert await TotpAttempt.filter(user_id=user.id, succeeded=False).count() == 5
    assert error_codes(await reauthenticate(gql, token, code(generator))) == ["TOTP_LOCKED"]


async def test_a_burst_of_parallel_requests_checks_at_most_five_codes(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    token = tenant.super_admin
    generator = await enroll(gql, token)
    guesses = [reauthenticate(gql, token, wrong_code(generator)) for _ in range(12)]
    assert_at_most_five_checked([error_codes(body) for body in await asyncio.gather(*guesses)])


async def test_websocket_guesses_are_refused_without_checking_a_code(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    generator = await enroll(gql, token)
    async with signed_in(server.websocket_url, token) as socket:
        for _ in range(12):
            await socket.subscribe(REAUTH, {"code": wrong_code(generator)})
        answers = [await socket.receive() for _ in range(12)]
    # Mutations go over POST only, where every guess counts.
    assert {
        (answer["type"], *error_codes({"errors": answer["payload"]})) for answer in answers
    } == {("error", "POST_REQUIRED")}
    assert await TotpAttempt.filter(user_id=user.id, succeeded=False).count() == 0


def test_the_qr_code_library_waits_for_the_first_enrollment() -> None:
    # The workers never draw a code: 4.5 MB each.
    assert loaded_at_start(("segno",)) == []
