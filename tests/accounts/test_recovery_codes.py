"""Two-factor recovery codes: ten at set-up, shown once and stored hashed, each good once
(even for two requests at the same instant) wherever a code from the authenticator is asked
for; new ones only after a step-up; every use audited with the count left."""

import asyncio

from models.accounts import RecoveryCode, Role
from services.accounts import recovery_codes
from tests.support.audit import audited, times_audited
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.tenants import Tenant
from tests.support.two_factor import (
    RECOVERY_CODES_LEFT,
    REGENERATE_RECOVERY_CODES,
    START_ENROLLMENT,
    enroll_with_recovery_codes,
    reauthenticate,
    step_up_check,
)


async def test_set_up_answers_ten_codes_stored_only_as_hashes(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    user = tenant.users[Role.SUPER_ADMIN]
    _, codes = await enroll_with_recovery_codes(gql, tenant.super_admin)

    assert len(codes) == len(set(codes)) == recovery_codes.COUNT
    stored = await RecoveryCode.filter(user_id=user.id)
    assert len(stored) == recovery_codes.COUNT
    for row in stored:
        assert all(code not in row.code_hash for code in codes)
        assert row.code_hash.startswith("$argon2id$")
    me = await gql.data(RECOVERY_CODES_LEFT, token=tenant.super_admin)
    assert me["me"]["recoveryCodesRemaining"] == recovery_codes.COUNT


async def test_a_recovery_code_steps_up_once_and_says_how_many_are_left(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    _, codes = await enroll_with_recovery_codes(gql, token)

    # As a person types it: upper case, with spaces around.
    answer = await reauthenticate(gql, token, f"  {codes[0].upper()} ")

    assert answer["data"]["reauthenticate"]["recoveryCodesRemaining"] == recovery_codes.COUNT - 1
    await step_up_check(token)
    assert error_codes(await reauthenticate(gql, token, codes[0])) == ["VALIDATION_FAILED"]
    [used] = await audited("RECOVERY_CODE_USED", str(user.id))
    assert used.details == {"recovery_codes_left": recovery_codes.COUNT - 1}
    me = await gql.data(RECOVERY_CODES_LEFT, token=token)
    assert me["me"]["recoveryCodesRemaining"] == recovery_codes.COUNT - 1


async def test_an_authenticator_code_step_up_answers_no_count(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    generator, _ = await enroll_with_recovery_codes(gql, tenant.super_admin)
    answer = await reauthenticate(gql, tenant.super_admin, generator.now())
    assert answer["data"]["reauthenticate"]["recoveryCodesRemaining"] is None


async def test_two_requests_with_one_code_step_up_once(gql: GraphQLClient, tenant: Tenant) -> None:
    _, codes = await enroll_with_recovery_codes(gql, tenant.super_admin)

    answers = await asyncio.gather(
        *(reauthenticate(gql, tenant.super_admin, codes[1]) for _ in range(2))
    )

    assert sorted(tuple(error_codes(answer)) for answer in answers) == [
        (),
        ("VALIDATION_FAILED",),
    ]
    assert (
        await RecoveryCode.filter(used_at__isnull=False)
        .filter(user_id=tenant.users[Role.SUPER_ADMIN].id)
        .count()
        == 1
    )


async def test_a_lost_authenticator_is_replaced_with_a_recovery_code(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    _, codes = await enroll_with_recovery_codes(gql, tenant.super_admin)

    replaced = await gql.raw(START_ENROLLMENT, {"current": codes[2]}, tenant.super_admin)

    assert error_codes(replaced) == []
    assert replaced["data"]["startTotpEnrollment"]["secret"]


async def test_wrong_recovery_codes_count_towards_the_lockout(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    await enroll_with_recovery_codes(gql, tenant.super_admin)
    outcomes = [
        error_codes(await reauthenticate(gql, tenant.super_admin, "aaaaa-aaaaa")) for _ in range(6)
    ]
    assert outcomes == [["VALIDATION_FAILED"]] * 5 + [["TOTP_LOCKED"]]


async def test_new_codes_need_a_step_up_and_replace_the_old(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    token, user = tenant.super_admin, tenant.users[Role.SUPER_ADMIN]
    assert error_codes(await gql.raw(REGENERATE_RECOVERY_CODES, token=token)) == [
        "TOTP_NOT_ENROLLED"
    ]
    generator, old = await enroll_with_recovery_codes(gql, token)
    assert error_codes(await gql.raw(REGENERATE_RECOVERY_CODES, token=token)) == ["REAUTH_REQUIRED"]

    assert error_codes(await reauthenticate(gql, token, generator.now())) == []
    new = (await gql.data(REGENERATE_RECOVERY_CODES, token=token))["regenerateRecoveryCodes"]

    assert len(new["codes"]) == recovery_codes.COUNT and not set(new["codes"]) & set(old)
    assert error_codes(await reauthenticate(gql, token, old[0])) == ["VALIDATION_FAILED"]
    assert error_codes(await reauthenticate(gql, token, new["codes"][0])) == []
    assert await times_audited(user, "RECOVERY_CODES_REGENERATED") == 1
