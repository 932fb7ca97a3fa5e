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

USER_ID = strawberry.argument(
    description="The user's id, in the signed-in user's account (else NOT_FOUND)."
)
ROLE = strawberry.argument(description="The role the user gets.")
TWO_FACTOR_CODE = strawberry.argument(
    description="A 6-digit code from the authenticator app, or an unused recovery code "
    "(`xxxxx-xxxxx`, any case)."
)


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in user and session. Any signed-in user.")
    async def me(self, info: Info) -> Me:
        return Me.from_signed_in(await resolvers.accounts.me(info.context))

    @strawberry.field(description="The signed-in user's account. Any signed-in user.")
    async def account(self, info: Info) -> Account:
        return Account.from_model(await resolvers.accounts.account(info.context))

    @strawberry.field(
        description="The account's users, disabled ones included. SUPER_ADMIN only (else "
        "FORBIDDEN)."
    )
    async def users(self, info: Info) -> list[User]:
        return [User.from_model(user) for user in await resolvers.accounts.list_users(info.context)]

    @strawberry.field(
        description="The account's active super admins: whom to ask for access. Any signed-in user."
    )
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
    @strawberry.mutation(
        description="Signs in with a password; no session needed. A wrong email or password "
        "is UNAUTHENTICATED; too many wrong attempts lock sign-in for a while (RATE_LIMITED, "
        "with `retryAt`); a disabled user gets USER_DISABLED."
    )
    async def login(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The user's email, any case.")],
        password: Annotated[str, strawberry.argument(description="The user's password.")],
    ) -> LoginPayload:
        token, user = await resolvers.accounts.login(info.context, email, password)
        return LoginPayload.from_session(token, user)

    @strawberry.mutation(
        description="Ends the signed-in session: its token stops working and its websockets "
        "close (4401). Always true."
    )
    async def logout(self, info: Info) -> bool:
        await resolvers.accounts.logout(info.context)
        return True

    @strawberry.mutation(
        description="Invites a user to the account. SUPER_ADMIN only (else FORBIDDEN); an "
        "email already in use is VALIDATION_FAILED."
    )
    async def invite_user(
        self,
        info: Info,
        email: Annotated[str, strawberry.argument(description="The invitee's email.")],
        role: Annotated[accounts.Role, ROLE],
        name: Annotated[
            str, strawberry.argument(description="The invitee's display name; may be empty.")
        ] = "",
    ) -> InviteUserPayload:
        user, token = await resolvers.accounts.invite_user(info.context, email, role, name)
        return InviteUserPayload(user=User.from_model(user), invitation_token=token)

    @strawberry.mutation(
        description="Sets the invitee's password and signs them in; no session needed. An "
        "unknown, used or expired invitation is UNAUTHENTICATED; a weak password "
        "VALIDATION_FAILED."
    )
    async def accept_invitation(
        self,
        token: Annotated[
            str, strawberry.argument(description="The `invitationToken` of `inviteUser`.")
        ],
        password: Annotated[str, strawberry.argument(description="The password to set.")],
    ) -> LoginPayload:
        session_token, user = await resolvers.accounts.accept_invitation(token, password)
        return LoginPayload.from_session(session_token, user)

    @strawberry.mutation(
        description="Signs in with an OpenID Connect ID token (RS256) from the identity provider "
        "the server is configured for, as the user with the token's email; no session needed. "
        "SSO_NOT_CONFIGURED without such settings; a token that does not verify, or an email "
        "with no user, is UNAUTHENTICATED; a disabled user USER_DISABLED."
    )
    async def login_with_sso(
        self,
        id_token: Annotated[
            str, strawberry.argument(description="The identity provider's ID token (a JWT).")
        ],
    ) -> LoginPayload:
        token, user = await resolvers.accounts.login_with_sso(id_token)
        return LoginPayload.from_session(token, user)

    @strawberry.mutation(
        description="A new two-factor secret for the signed-in user, active once confirmed. "
        "Replacing a confirmed one needs `currentCode` from it (VALIDATION_FAILED without, "
        "TOTP_LOCKED after too many wrong codes)."
    )
    async def start_totp_enrollment(
        self,
        info: Info,
        current_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only to replace a confirmed secret: a code of the current one "
                "(or a recovery code)."
            ),
        ] = None,
    ) -> TotpEnrollment | None:
        enrollment = await resolvers.accounts.start_totp_enrollment(info.context, current_code)
        return TotpEnrollment.from_enrollment(enrollment)

    @strawberry.mutation(
        description="Activates the secret from `startTotpEnrollment` with a code it produced; "
        "answers the user's recovery codes. No secret started, or a wrong code, is "
        "VALIDATION_FAILED."
    )
    async def confirm_totp_enrollment(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(description="A 6-digit code from the new secret."),
        ],
    ) -> RecoveryCodes:
        codes = await resolvers.accounts.confirm_totp_enrollment(info.context, code)
        return RecoveryCodes(codes=codes)

    @strawberry.mutation(
        description="New recovery codes in place of the old ones; needs a step-up "
        "(`reauthenticate`) within the last 5 minutes (REAUTH_REQUIRED, or TOTP_NOT_ENROLLED "
        "without two-factor)."
    )
    async def regenerate_recovery_codes(self, info: Info) -> RecoveryCodes:
        codes = await resolvers.accounts.regenerate_recovery_codes(info.context)
        return RecoveryCodes(codes=codes)

    @strawberry.mutation(
        description="Step-up with a current two-factor code or a recovery code: the session "
        "may start a restore for 5 minutes. A code works once; 5 wrong codes in 15 minutes "
        "lock two-factor for 15 minutes (TOTP_LOCKED). TOTP_NOT_ENROLLED without two-factor; "
        "a wrong code is VALIDATION_FAILED."
    )
    async def reauthenticate(
        self, info: Info, code: Annotated[str, TWO_FACTOR_CODE]
    ) -> ReauthenticatePayload | None:
        step_up = await resolvers.accounts.reauthenticate(info.context, code)
        return ReauthenticatePayload.from_step_up(step_up)

    @strawberry.mutation(
        description="Changes a user's role; their open websockets close (4403). SUPER_ADMIN "
        "only (else FORBIDDEN); demoting the last active super admin is VALIDATION_FAILED."
    )
    async def set_user_role(
        self,
        info: Info,
        user_id: Annotated[strawberry.ID, USER_ID],
        role: Annotated[accounts.Role, ROLE],
    ) -> User:
        return User.from_model(await resolvers.accounts.set_user_role(info.context, user_id, role))

    @strawberry.mutation(
        description="SUPER_ADMIN only (else FORBIDDEN). The user cannot sign in, and every "
        "session of theirs ends at once. Not the last active super admin (VALIDATION_FAILED)."
    )
    async def disable_user(self, info: Info, user_id: Annotated[strawberry.ID, USER_ID]) -> User:
        return User.from_model(await resolvers.accounts.disable_user(info.context, user_id))

    @strawberry.mutation(
        description="Lets a disabled user sign in again. SUPER_ADMIN only (else FORBIDDEN)."
    )
    async def enable_user(self, info: Info, user_id: Annotated[strawberry.ID, USER_ID]) -> User:
        return User.from_model(await resolvers.accounts.enable_user(info.context, user_id))

    @strawberry.mutation(
        description="SUPER_ADMIN only (else FORBIDDEN). Turns another user's two-factor off, "
        "recovery codes included, for them to set it up again (one's own: VALIDATION_FAILED)."
    )
    async def reset_user_two_factor(
        self, info: Info, user_id: Annotated[strawberry.ID, USER_ID]
    ) -> User:
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
