import strawberry

from models.accounts import Account as AccountModel
from models.accounts import Role as RoleModel
from models.accounts import User as UserModel
from schema.accounts import Account, InviteUserPayload, LoginPayload, Me, Role, User
from schema.context import Info
from services import accounts
from services.accounts import totp, users


async def me(info: Info) -> Me:
    viewer = info.context.require_viewer()
    account = await AccountModel.get(id=viewer.account_id)
    return Me(
        user=User.from_model(viewer.user),
        account=Account.from_model(account),
        auth_method=viewer.session.auth_method,
        session_expires_at=viewer.session.expires_at,
        totp_enrolled=totp.is_enrolled(viewer.user),
    )


async def account(info: Info) -> Account:
    viewer = info.context.require_viewer()
    return Account.from_model(await AccountModel.get(id=viewer.account_id))


async def account_users(info: Info) -> list[User]:
    viewer = info.context.require_viewer()
    return [User.from_model(user) for user in await users.list_users(viewer)]


async def login(info: Info, email: str, password: str) -> LoginPayload:
    token, user = await accounts.login(email, password)
    return LoginPayload(token=token, user=User.from_model(user))


async def logout(info: Info) -> bool:
    await accounts.logout(info.context.require_viewer())
    return True


async def invite_user(info: Info, email: str, role: Role, name: str = "") -> InviteUserPayload:
    viewer = info.context.require_viewer()
    user, token = await users.invite_user(viewer, email, RoleModel(role), name=name)
    return InviteUserPayload(user=User.from_model(user), invitation_token=token)


async def accept_invitation(info: Info, token: str, password: str) -> LoginPayload:
    session_token, user = await users.accept_invitation(token, password)
    return LoginPayload(token=session_token, user=User.from_model(user))


async def set_user_role(info: Info, user_id: strawberry.ID, role: Role) -> User:
    viewer = info.context.require_viewer()
    user: UserModel = await users.set_user_role(viewer, str(user_id), RoleModel(role))
    return User.from_model(user)
