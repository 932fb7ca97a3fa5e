from schema.accounts import LoginPayload, User
from schema.context import Info
from services import accounts


async def login_with_sso(info: Info, id_token: str) -> LoginPayload:
    token, user = await accounts.login_with_sso(id_token)
    return LoginPayload(token=token, user=User.from_model(user))
