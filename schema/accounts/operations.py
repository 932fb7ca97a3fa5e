"""The accounts' root fields: who is signed in, users, signing in and two-factor."""

from typing import Annotated

import strawberry

import resolvers.accounts
from resolvers.context import Info
from schema.accounts.types import (
    Account,
    ApiToken,
    CreateApiTokenPayload,
    InviteUserPayload,
    LoginPayload,
    Me,
    ReauthenticatePayload,
    RecoveryCodes,
    SuperAdmin,
    TotpEnrollment,
    User,
)
from services import accounts


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in user and session.")
    async def me(self, info: Info) -> Me:
        return Me.from_signed_in(await resolvers.accounts.me(info.context))

    @strawberry.field
    async def account(self, info: Info) -> Account:
        return Account.from_model(await resolvers.accounts.account(info.context))

    @strawberry.field(description="SUPER_ADMIN only.")
    async def users(self, info: Info) -> list[User]:
        return [User.from_model(user) for user in await resolvers.accounts.list_users(info.context)]

    @strawberry.field(description="The account's active super admins: whom to ask for access.")
    async def super_admins(self, info: Info) -> list[SuperAdmin]:
        admins = await resolvers.accounts.super_admins(info.context)
        return [SuperAdmin.from_model(user) for user in admins]

    @strawberry.field(
        description="The account's API tokens, revoked and expired ones too, newest first. "
        "SUPER_ADMIN only, signed in (not with a token)."
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        tokens = await resolvers.accounts.list_api_tokens(info.context)
        return [ApiToken.from_model(token) for token in tokens]


@strawberry.type
class AccountMutations:
    @strawberry.mutation
    async def login(self, info: Info, email: str, password: str) -> LoginPayload:
        token, user = await resolvers.accounts.login(info.context, email, password)
        return LoginPayload.from_session(token, user)

    @strawberry.mutation
    async def logout(self, info: Info) -> bool:
        await resolvers.accounts.logout(info.context)
        return True

    @strawberry.mutation(description="SUPER_ADMIN only.")
    async def invite_user(
        self, info: Info, email: str, role: accounts.Role, name: str = ""
    ) -> InviteUserPayload:
        user, token = await resolvers.accounts.invite_user(info.context, email, role, name)
        return InviteUserPayload(user=User.from_model(user), invitation_token=token)

    @strawberry.mutation
    async def accept_invitation(self, token: str, password: str) -> LoginPayload:
        session_token, user = await resolvers.accounts.accept_invitation(token, password)
        return LoginPayload.from_session(session_token, user)

    @strawberry.mutation(
        description="Signs in with an OpenID Connect ID token (RS256) from the identity provider "
        "the server is configured for, as the user with the token's email."
    )
    async def login_with_sso(self, id_token: str) -> LoginPayload:
        token, user = await resolvers.accounts.login_with_sso(id_token)
        return LoginPayload.from_session(token, user)

    @strawberry.mutation(
        description="A new two-factor secret, active once confirmed. Replacing a confirmed "
        "one needs `currentCode` from it."
    )
    async def start_totp_enrollment(
        self, info: Info, current_code: str | None = None
    ) -> TotpEnrollment | None:
        enrollment = await resolvers.accounts.start_totp_enrollment(info.context, current_code)
        return TotpEnrollment.from_enrollment(enrollment)

    @strawberry.mutation(
        description="Activates the secret from `startTotpEnrollment` with a code it produced; "
        "answers the user's recovery codes."
    )
    async def confirm_totp_enrollment(self, info: Info, code: str) -> RecoveryCodes:
        codes = await resolvers.accounts.confirm_totp_enrollment(info.context, code)
        return RecoveryCodes(codes=codes)

    @strawberry.mutation(
        description="New recovery codes in place of the old ones; needs a step-up "
        "(`reauthenticate`) within the last 5 minutes."
    )
    async def regenerate_recovery_codes(self, info: Info) -> RecoveryCodes:
        codes = await resolvers.accounts.regenerate_recovery_codes(info.context)
        return RecoveryCodes(codes=codes)

    @strawberry.mutation(
        description="Step-up with a current two-factor code or a recovery code: the session "
        "may start a restore for 5 minutes. A code works once; 5 wrong codes in 15 minutes "
        "lock two-factor for 15 minutes (TOTP_LOCKED)."
    )
    async def reauthenticate(self, info: Info, code: str) -> ReauthenticatePayload | None:
        step_up = await resolvers.accounts.reauthenticate(info.context, code)
        return ReauthenticatePayload.from_step_up(step_up)

    @strawberry.mutation(description="SUPER_ADMIN only.")
    async def set_user_role(self, info: Info, user_id: strawberry.ID, role: accounts.Role) -> User:
        return User.from_model(await resolvers.accounts.set_user_role(info.context, user_id, role))

    @strawberry.mutation(
        description="SUPER_ADMIN only. The user cannot sign in, and every session of theirs "
        "ends at once. Not the last active super admin."
    )
    async def disable_user(self, info: Info, user_id: strawberry.ID) -> User:
        return User.from_model(await resolvers.accounts.disable_user(info.context, user_id))

    @strawberry.mutation(description="SUPER_ADMIN only.")
    async def enable_user(self, info: Info, user_id: strawberry.ID) -> User:
        return User.from_model(await resolvers.accounts.enable_user(info.context, user_id))

    @strawberry.mutation(
        description="SUPER_ADMIN only. Turns another user's two-factor off, recovery codes "
        "included, for them to set it up again."
    )
    async def reset_user_two_factor(self, info: Info, user_id: strawberry.ID) -> User:
        user = await resolvers.accounts.reset_user_two_factor(info.context, user_id)
        return User.from_model(user)

    @strawberry.mutation(
        description="A token for automation, acting as the caller within `scopes` until it "
        "expires; audit-logged. SUPER_ADMIN only, signed in (not with a token)."
    )
    async def create_api_token(
        self,
        info: Info,
        name: Annotated[
            str, strawberry.argument(description="What it is for: 1 to 100 characters.")
        ],
        scopes: Annotated[
            list[accounts.Scope],
            strawberry.argument(description="What it may do: at least one scope."),
        ],
        expires_in_days: Annotated[
            int,
            strawberry.argument(
                description=f"Days until it stops working: 1 to "
                f"{accounts.API_TOKEN_MAX_LIFETIME_DAYS}."
            ),
        ],
    ) -> CreateApiTokenPayload:
        token, secret = await resolvers.accounts.create_api_token(
            info.context, name, scopes, expires_in_days
        )
        return CreateApiTokenPayload(token=ApiToken.from_model(token), secret=secret)

    @strawberry.mutation(
        description="Stops a token at once, its open websockets included; audit-logged. "
        "Revoking a revoked token changes nothing. SUPER_ADMIN only, signed in."
    )
    async def revoke_api_token(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The token's id.")],
    ) -> ApiToken:
        return ApiToken.from_model(await resolvers.accounts.revoke_api_token(info.context, id))
