"""Signed-in users of the benchmark account, for the measures that go through the API."""

import time
from uuid import UUID

from models.accounts import Account, AuthMethod, Role
from services import accounts


async def session_token(account_id: UUID, role: Role) -> str:
    """The bearer token of a new user of the account with `role`, signed in by password."""
    account = await Account.get(id=account_id)
    email = f"{role.value.lower()}-{time.time_ns()}@bench.example"
    user = await accounts.create_user(account, email, role)
    return await accounts.start_session(user, AuthMethod.PASSWORD)
