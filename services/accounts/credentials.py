"""One door for every bearer credential: a person's session or an API token, told apart by the
token's prefix, each answering the same Viewer."""

from services.accounts import api_tokens, sessions
from services.core.viewer import Viewer


async def authenticate(secret: str, client_address: str | None = None) -> Viewer:
    """The viewer a bearer secret stands for, or UNAUTHENTICATED. `client_address` is where a
    token is being used from (its first use from each address is audit-logged)."""
    if api_tokens.is_api_token(secret):
        return await api_tokens.authenticate(secret, client_address)
    return await sessions.authenticate(secret)
