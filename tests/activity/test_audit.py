import pytest

from models.accounts import Role
from tests.support.audit import AUDIT_LOG, log_of
from tests.support.graphql import GraphQLClient
from tests.support.tenants import MakeTenant, Tenant, sign_in, unique_email

INVITE = "mutation($email: String!) { inviteUser(email: $email, role: MEMBER) { user { id } } }"


@pytest.fixture
async def tenant(make_tenant: MakeTenant) -> Tenant:
    """Users who can sign in with a password."""
    return await make_tenant(passwords=True)


async def test_sign_in_is_recorded(gql: GraphQLClient, tenant: Tenant) -> None:
    member = tenant.users[Role.MEMBER]
    assert not (await sign_in(gql, tenant, Role.MEMBER)).get("errors")
    [event] = await log_of(gql, tenant.admin)
    assert event["action"] == "LOGIN"
    assert event["actor"] == {"id": str(member.id), "email": member.email, "name": member.name}
    assert (event["targetType"], event["targetId"]) == ("user", str(member.id))
    assert event["details"] == {"method": "PASSWORD"}


async def test_a_failed_sign_in_is_not_a_login(gql: GraphQLClient, tenant: Tenant) -> None:
    refused = await sign_in(gql, tenant, Role.MEMBER, password="not the password")
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await log_of(gql, tenant.admin) == []


async def test_newest_first_with_json_details(gql: GraphQLClient, tenant: Tenant) -> None:
    await sign_in(gql, tenant, Role.ADMIN)
    invited = unique_email("invited")
    await gql.data(INVITE, {"email": invited}, tenant.super_admin)
    await sign_in(gql, tenant, Role.MEMBER)

    first_page = (await gql.data(AUDIT_LOG, {"first": 2}, tenant.super_admin))["auditLog"]
    assert [event["action"] for event in first_page["nodes"]] == ["LOGIN", "USER_INVITED"]
    assert first_page["nodes"][1]["details"] == {"email": invited, "role": "MEMBER"}
    cursor = first_page["pageInfo"]["endCursor"]
    rest = await gql.data(AUDIT_LOG, {"first": 2, "after": cursor}, tenant.super_admin)
    [oldest] = rest["auditLog"]["nodes"]
    assert oldest["actor"]["email"] == tenant.users[Role.ADMIN].email
    assert rest["auditLog"]["pageInfo"]["hasNextPage"] is False


async def test_total_count_is_of_the_filtered_log(gql: GraphQLClient, tenant: Tenant) -> None:
    for _ in range(3):
        await sign_in(gql, tenant, Role.MEMBER)
    await gql.data(INVITE, {"email": unique_email("invited")}, tenant.super_admin)
    count = "query($filter: AuditLogFilter) { auditLog(first: 1, filter: $filter) { totalCount } }"
    logins = await gql.data(count, {"filter": {"action": "LOGIN"}}, tenant.super_admin)
    assert logins["auditLog"]["totalCount"] == 3
    everything = await gql.data(count, {}, tenant.super_admin)
    assert everything["auditLog"]["totalCount"] == 4


async def test_admins_only(gql: GraphQLClient, tenant: Tenant) -> None:
    await sign_in(gql, tenant, Role.MEMBER)
    assert await gql.error_code(AUDIT_LOG, {"first": 5}, tenant.member) == "FORBIDDEN"
    assert await gql.error_code(AUDIT_LOG, {"first": 5}) == "UNAUTHENTICATED"
    [event] = await log_of(gql, tenant.admin)
    assert await log_of(gql, tenant.super_admin) == [event]


async def test_scoped_to_the_viewers_account(
    gql: GraphQLClient, tenant: Tenant, make_tenant: MakeTenant
) -> None:
    theirs = await make_tenant()
    await gql.data(INVITE, {"email": unique_email("invited")}, theirs.super_admin)
    await sign_in(gql, tenant, Role.ADMIN)
    assert [event["action"] for event in await log_of(gql, tenant.super_admin)] == ["LOGIN"]
    assert [event["action"] for event in await log_of(gql, theirs.super_admin)] == ["USER_INVITED"]
