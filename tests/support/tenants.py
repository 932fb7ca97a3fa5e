"""Accounts with a signed-in user per role, made through the services, as the tests' tenants."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from models.accounts import Account, AuthMethod, Role, Tier, User
from services.accounts import sessions as auth
from services.accounts.accounts import create_account, create_user
from tests.support.graphql import GraphQLClient

PASSWORD = "correct horse battery"
LOGIN = """
mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token }
}
"""


@dataclass
class Tenant:
    """An account with one signed-in user per role."""

    account: Account
    users: dict[Role, User]
    tokens: dict[Role, str]

    @property
    def super_admin(self) -> str:
        return self.tokens[Role.SUPER_ADMIN]

    @property
    def admin(self) -> str:
        return self.tokens[Role.ADMIN]

    @property
    def member(self) -> str:
        return self.tokens[Role.MEMBER]


MakeTenant = Callable[..., Awaitable[Tenant]]


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def create_tenant(tier: Tier = Tier.ENTERPRISE, *, passwords: bool = False) -> Tenant:
    """Users get PASSWORD only when asked: Argon2 is slow on purpose."""
    account = await create_account(f"Account {uuid.uuid4().hex[:6]}", tier)
    users: dict[Role, User] = {}
    tokens: dict[Role, str] = {}
    for role in Role:
        password = PASSWORD if passwords else None
        users[role] = await create_user(
            account, unique_email(role.value.lower()), role, password=password
        )
        tokens[role] = await auth.start_session(users[role], AuthMethod.PASSWORD)
    return Tenant(account=account, users=users, tokens=tokens)


async def add_super_admin(tenant: Tenant) -> tuple[User, str]:
    """A second super admin of the tenant's account, signed in: (user, token)."""
    user = await create_user(tenant.account, unique_email("super-admin"), Role.SUPER_ADMIN)
    return user, await auth.start_session(user, AuthMethod.PASSWORD)


async def sign_in(
    gql: GraphQLClient, tenant: Tenant, role: Role, password: str = PASSWORD
) -> dict[str, Any]:
    """`login` over HTTP as the tenant's user of `role`; the whole answer."""
    variables = {"email": tenant.users[role].email, "password": password}
    return await gql.raw(LOGIN, variables)
