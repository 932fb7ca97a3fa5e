"""What super admins change about other users: disabling (every session ends at once, sign-in
is refused), enabling, resetting two-factor; the last active super admin stays; other accounts'
users are NOT_FOUND; every change is audited; other roles learn whom to ask."""

import asyncio
import uuid

import pytest

from models.accounts import AuthMethod, RecoveryCode, Role, Session, User
from services.accounts import access_changes
from services.accounts import sessions as auth
from tests.support.audit import audited
from tests.support.graphql import GraphQLClient, error_codes, refused_field
from tests.support.live_sessions import MY_ROLE, SET_ROLE
from tests.support.polling import until_listening
from tests.support.servers import Server
from tests.support.tenants import MakeTenant, Tenant, add_super_admin, sign_in
from tests.support.two_factor import enroll_with_recovery_codes, reauthenticate
from tests.support.user_access import DISABLE, ENABLE, RESET_TWO_FACTOR, SUPER_ADMINS, USERS
from tests.support.websocket import signed_in


async def test_only_super_admins_list_users_with_their_security(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    await enroll_with_recovery_codes(gql, tenant.admin)
    assert error_codes(await gql.raw(USERS, token=tenant.admin)) == ["FORBIDDEN"]

    users = {
        user["email"]: user for user in (await gql.data(USERS, token=tenant.super_admin))["users"]
    }

    admin = users[tenant.users[Role.ADMIN].email]
    assert (admin["role"], admin["totpEnrolled"], admin["disabled"]) == ("ADMIN", True, False)
    assert users[tenant.users[Role.MEMBER].email]["totpEnrolled"] is False


async def test_disabling_ends_every_session_at_once_and_refuses_sign_in(
    gql: GraphQLClient, make_tenant: MakeTenant, server: Server
) -> None:
    tenant = await make_tenant(passwords=True)
    admin = tenant.users[Role.ADMIN]
    async with signed_in(server.websocket_url, tenant.admin) as socket:
        await until_listening(access_changes.channel(admin.id))
        disabled = await gql.data(DISABLE, {"id": str(admin.id)}, tenant.super_admin)

        assert disabled["disableUser"] == {"id": str(admin.id), "disabled": True}
        assert await socket.close_code() == 4401
    assert await Session.filter(user_id=admin.id).count() == 0
    assert error_codes(await gql.raw(MY_ROLE, token=tenant.admin)) == ["UNAUTHENTICATED"]
    assert error_codes(await sign_in(gql, tenant, Role.ADMIN)) == ["USER_DISABLED"]
    # Only the right password tells that the user is disabled.
    assert error_codes(await sign_in(gql, tenant, Role.ADMIN, "wrong password")) == [
        "UNAUTHENTICATED"
    ]
    [event] = await audited("USER_DISABLED", str(admin.id))
    assert event.actor_id == tenant.users[Role.SUPER_ADMIN].id

    enabled = await gql.data(ENABLE, {"id": str(admin.id)}, tenant.super_admin)
    assert enabled["enableUser"]["disabled"] is False
    assert error_codes(await sign_in(gql, tenant, Role.ADMIN)) == []
    assert len(await audited("USER_ENABLED", str(admin.id))) == 1


async def test_the_last_active_super_admin_is_neither_demoted_nor_disabled(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    me = str(tenant.users[Role.SUPER_ADMIN].id)
    other, _ = await add_super_admin(tenant)
    # A disabled super admin is no one to fall back on.
    await gql.data(DISABLE, {"id": str(other.id)}, tenant.super_admin)

    demote = await gql.raw(SET_ROLE, {"id": me, "role": "ADMIN"}, tenant.super_admin)
    disable = await gql.raw(DISABLE, {"id": me}, tenant.super_admin)

    assert refused_field(demote) == "role"
    assert refused_field(disable) == "userId"
    assert "last active super admin" in disable["errors"][0]["message"]
    assert (await User.get(id=me)).role == Role.SUPER_ADMIN

    # With another active one (signed in again: disabling ended its sessions), either may go.
    await gql.data(ENABLE, {"id": str(other.id)}, tenant.super_admin)
    other_token = await auth.start_session(other, AuthMethod.PASSWORD)
    assert (
        error_codes(await gql.raw(SET_ROLE, {"id": me, "role": "ADMIN"}, tenant.super_admin)) == []
    )
    assert error_codes(await gql.raw(DISABLE, {"id": me}, other_token)) == []


async def test_two_super_admins_demoting_each_other_at_once_leave_one(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    me = tenant.users[Role.SUPER_ADMIN]
    other, other_token = await add_super_admin(tenant)

    answers = await asyncio.gather(
        gql.raw(SET_ROLE, {"id": str(other.id), "role": "ADMIN"}, tenant.super_admin),
        gql.raw(SET_ROLE, {"id": str(me.id), "role": "ADMIN"}, other_token),
    )

    assert sorted(tuple(error_codes(answer)) for answer in answers) == [
        (),
        ("VALIDATION_FAILED",),
    ]
    roles = [user.role for user in await User.filter(id__in=[me.id, other.id])]
    assert sorted(roles) == [Role.ADMIN, Role.SUPER_ADMIN]


async def test_resetting_two_factor_turns_it_and_its_recovery_codes_off(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    admin = tenant.users[Role.ADMIN]
    generator, codes = await enroll_with_recovery_codes(gql, tenant.admin)
    assert error_codes(await reauthenticate(gql, tenant.admin, generator.now())) == []

    reset = await gql.data(RESET_TWO_FACTOR, {"id": str(admin.id)}, tenant.super_admin)

    assert reset["resetUserTwoFactor"] == {"id": str(admin.id), "totpEnrolled": False}
    assert await RecoveryCode.filter(user_id=admin.id).count() == 0
    # The step-up it gave is gone with it; the user sets two-factor up again.
    assert error_codes(await reauthenticate(gql, tenant.admin, codes[0])) == ["TOTP_NOT_ENROLLED"]
    assert await Session.filter(user_id=admin.id, reauthenticated_at__isnull=False).count() == 0
    [event] = await audited("TOTP_RESET", str(admin.id))
    assert (event.actor_id, event.details) == (
        tenant.users[Role.SUPER_ADMIN].id,
        {"email": admin.email},
    )


async def test_nobody_resets_their_own_two_factor(gql: GraphQLClient, tenant: Tenant) -> None:
    await enroll_with_recovery_codes(gql, tenant.super_admin)
    me = str(tenant.users[Role.SUPER_ADMIN].id)
    assert refused_field(await gql.raw(RESET_TWO_FACTOR, {"id": me}, tenant.super_admin)) == (
        "userId"
    )


@pytest.mark.parametrize("document", [DISABLE, ENABLE, RESET_TWO_FACTOR])
async def test_only_super_admins_change_users_of_their_own_account(
    gql: GraphQLClient, make_tenant: MakeTenant, document: str
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    member = {"id": str(tenant.users[Role.MEMBER].id)}

    assert await gql.error_code(document, member, tenant.admin) == "FORBIDDEN"
    for unknown in (str(other.users[Role.MEMBER].id), str(uuid.uuid4())):
        assert await gql.error_code(document, {"id": unknown}, tenant.super_admin) == "NOT_FOUND"
    assert await gql.error_code(document, {"id": "not-an-id"}, tenant.super_admin) == "NOT_FOUND"


async def test_other_roles_learn_whom_to_ask(gql: GraphQLClient, tenant: Tenant) -> None:
    disabled, _ = await add_super_admin(tenant)
    await gql.data(DISABLE, {"id": str(disabled.id)}, tenant.super_admin)

    answer = await gql.data(SUPER_ADMINS, token=tenant.member)

    super_admin = tenant.users[Role.SUPER_ADMIN]
    assert answer["superAdmins"] == [{"name": super_admin.name, "email": super_admin.email}]
