"""The API's table of contents: every root field and the resolver behind it."""

import strawberry

from resolvers import accounts
from schema.accounts import Account, InviteUserPayload, LoginPayload, Me, User


@strawberry.type
class Query:
    me: Me = strawberry.field(resolver=accounts.me, description="The signed-in user and session.")
    account: Account = strawberry.field(resolver=accounts.account)
    users: list[User] = strawberry.field(resolver=accounts.account_users)


@strawberry.type
class Mutation:
    login: LoginPayload = strawberry.mutation(resolver=accounts.login)
    logout: bool = strawberry.mutation(resolver=accounts.logout)
    invite_user: InviteUserPayload = strawberry.mutation(
        resolver=accounts.invite_user, description="SUPER_ADMIN only."
    )
    accept_invitation: LoginPayload = strawberry.mutation(resolver=accounts.accept_invitation)
    set_user_role: User = strawberry.mutation(
        resolver=accounts.set_user_role, description="SUPER_ADMIN only."
    )
