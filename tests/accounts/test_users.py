import asyncio

from models.accounts import Role
from models.audit import AuditEvent
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.live_sessions import SET_ROLE
from tests.support.tenants import Tenant

INVITE = """
mutation($email: String!, $role: Role!) {
  inviteUser(email: $email, role: $role) { invitationToken user { id email role hasPassword } }
}
"""
ACCEPT = """
mutation($token: String!, $password: String!) {
  acceptInvitation(token: $token, password: $password) { token user { email } }
}
"""


async def test_invite_accept_and_sign_in(gql: GraphQLClient, tenant: Tenant) -> None:
    variables = {"email": "New.Person@Example.com", "role": "ADMIN"}
    assert await gql.error_code(INVITE, variables, tenant.admin) == "FORBIDDEN"
    invited = (await gql.data(INVITE, variables, tenant.super_admin))["inviteUser"]
    assert invited["user"]["email"] == "new.person@example.com"
    assert invited["user"]["hasPassword"] is False
    assert await gql.error_code(INVITE, variables, tenant.super_admin) == "VALIDATION_FAILED"

    short = {"token": invited["invitationToken"], "password": "short"}
    assert await gql.error_code(ACCEPT, short, None) == "VALIDATION_FAILED"
    accepted = await gql.data(ACCEPT, {**short, "password": "a long enough password"})
    me = await gql.data(
        "{ me { user { email role } } }", token=accepted["acceptInvitation"]["token"]
    )
    assert me["me"]["user"] == {"email": "new.person@example.com", "role": "ADMIN"}
    # The invitation is spent.
    assert (
        await gql.error_code(ACCEPT, {**short, "password": "another long password"})
        == "UNAUTHENTICATED"
    )
    assert await AuditEvent.filter(account_id=tenant.account.id, action="USER_INVITED").count() == 1


async def test_set_user_role(gql: GraphQLClient, tenant: Tenant) -> None:
    member = str(tenant.users[Role.MEMBER].id)
    assert (
        await gql.error_code(SET_ROLE, {"id": member, "role": "ADMIN"}, tenant.admin) == "FORBIDDEN"
    )
    changed = await gql.data(SET_ROLE, {"id": member, "role": "ADMIN"}, tenant.super_admin)
    assert changed["setUserRole"] == {"role": "ADMIN"}
    event = await AuditEvent.get(account_id=tenant.account.id, action="USER_ROLE_CHANGED")
    assert event.details == {"previous": "MEMBER", "role": "ADMIN"}


async def test_the_last_super_admin_stays(gql: GraphQLClient, tenant: Tenant) -> None:
    me = str(tenant.users[Role.SUPER_ADMIN].id)
    assert (
        await gql.error_code(SET_ROLE, {"id": me, "role": "MEMBER"}, tenant.super_admin)
        == "VALIDATION_FAILED"
    )


async def test_an_invitation_redeemed_twice_at_once_sets_one_password(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    variables = {"email": "twice@example.com", "role": "MEMBER"}
    invited = (await gql.data(INVITE, variables, tenant.super_admin))["inviteUser"]
    token = invited["invitationToken"]

    answers = await asyncio.gather(
        gql.raw(ACCEPT, {"token": token, "password": "the first password"}),
        gql.raw(ACCEPT, {"token": token, "password": "the second password"}),
    )

    assert sorted(tuple(error_codes(answer)) for answer in answers) == [(), ("UNAUTHENTICATED",)]
    [accepted] = await AuditEvent.filter(
        action="INVITATION_ACCEPTED", target_id=invited["user"]["id"]
    )
    assert str(accepted.actor_id) == invited["user"]["id"]
