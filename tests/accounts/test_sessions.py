from datetime import timedelta

import pytest

from models.accounts import Role, Session, User
from services.accounts import sessions
from services.core.clock import now
from services.core.errors import Unauthenticated
from tests.support.tenants import Tenant


def _columns(model: Session | User) -> dict[str, object]:
    return {column: getattr(model, column) for column in type(model)._meta.db_fields}


async def test_a_token_reads_its_session_and_user_as_the_orm_does(tenant: Tenant) -> None:
    token = tenant.member
    session = await Session.get(token_hash=sessions.hash_token(token)).select_related("user")
    await Session.filter(id=session.id).update(reauthenticated_at=now())
    await session.refresh_from_db()

    viewer = await sessions.authenticate(token)

    assert viewer.session is not None
    assert _columns(viewer.session) == _columns(session)
    assert _columns(viewer.user) == _columns(await User.get(id=session.user_id))
    assert viewer.session.user is viewer.user
    assert viewer.account_id == tenant.account.id
    # Read as saved rows: a change is written back by its fields alone.
    viewer.user.name = "Renamed"
    await viewer.user.save(update_fields=["name"])
    assert (await User.get(id=viewer.user.id)).name == "Renamed"


async def test_no_session_is_read_for_an_unknown_ended_or_expired_token(tenant: Tenant) -> None:
    with pytest.raises(Unauthenticated):
        await sessions.authenticate("not a token")
    admin = tenant.users[Role.ADMIN]
    await Session.filter(user_id=admin.id).update(expires_at=now() - timedelta(seconds=1))
    with pytest.raises(Unauthenticated):
        await sessions.authenticate(tenant.admin)
    await sessions.end_all_sessions(tenant.users[Role.MEMBER].id)
    with pytest.raises(Unauthenticated):
        await sessions.authenticate(tenant.member)
