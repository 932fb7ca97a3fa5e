from models.accounts import Role
from tests.support.graphql import GraphQLClient
from tests.support.tenants import PASSWORD, MakeTenant

LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token user { email role } }
}
"""
ME = "{ me { user { email role } account { tier } authMethod } }"


async def test_login_then_me_then_logout(gql: GraphQLClient, make_tenant: MakeTenant) -> None:
    tenant = await make_tenant(passwords=True)
    email = tenant.users[Role.ADMIN].email
    login = (await gql.data(LOGIN, {"email": email.upper(), "password": PASSWORD}))["login"]
    assert login["user"] == {"email": email, "role": "ADMIN"}

    me = (await gql.data(ME, token=login["token"]))["me"]
    assert me == {
        "user": {"email": email, "role": "ADMIN"},
        "account": {"tier": "ENTERPRISE"},
        "authMethod": "PASSWORD",
    }

    assert (await gql.data("mutation { logout }", token=login["token"]))["logout"] is True
    assert await gql.error_code(ME, token=login["token"]) == "UNAUTHENTICATED"


async def test_wrong_password_and_unknown_email_look_the_same(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant = await make_tenant(passwords=True)
    email = tenant.users[Role.MEMBER].email
    wrong = await gql.raw(LOGIN, {"email": email, "password": "not the password"})
    unknown = await gql.raw(LOGIN, {"email": "nobody@example.com", "password": PASSWORD})
    assert wrong["errors"][0]["message"] == unknown["errors"][0]["message"]
    assert wrong["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_anonymous_me_is_unauthenticated(gql: GraphQLClient) -> None:
    assert await gql.error_code(ME) == "UNAUTHENTICATED"
    assert await gql.error_code(ME, token="forged") == "UNAUTHENTICATED"
