"""One door for every bearer credential: a person's session or an API token, told apart by the
token's prefix, each answering the same Viewer."""

from models.accounts import Role, User
from services.accounts import api_tokens, sessions
from services.accounts.accounts import normalise_email
from services.core.errors import NotFound
from services.core.viewer import Viewer


async def authenticate(secret: str, client_address: str | None = None) -> Viewer:
    """The viewer a bearer secret stands for, or UNAUTHENTICATED. `client_address` is where a
    token is being used from (its first use from each address is audit-logged)."""
    if api_tokens.is_api_token(secret):
        return await api_tokens.authenticate(secret, client_address)
    return await sessions.authenticate(secret)


async def operator_acting_as(email: str) -> Viewer:
    """The operator at the server's command line, acting as one of an account's active super
    admins: what they do is scoped to that account and audit-logged as that user's."""
    user = await User.get_or_none(email=normalise_email(email))
    if user is None:
        raise NotFound(f"No user with the email {email!r}.")
    sessions.refuse_if_disabled(user)
    viewer = Viewer(user=user)
    viewer.require_role(Role.SUPER_ADMIN)
    return viewer
