"""Bearer-token sessions: sign-in, the viewer a token stands for, sign-out."""

import functools
import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

from tortoise import connections
from tortoise.models import Model

from models.accounts import AuthMethod, Session, User
from services import activity
from services.accounts import access_changes, metrics, passwords, throttle
from services.accounts.accounts import EMAIL_LENGTH
from services.core import log_context
from services.core.clock import now
from services.core.errors import DomainError, ErrorCode, Unauthenticated
from services.core.json_rows import placeholder
from services.core.text import check_text
from services.core.viewer import Viewer

SESSION_LIFETIME = timedelta(days=7)

M = TypeVar("M", bound=Model)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(user: User, method: AuthMethod) -> str:
    """Create a session and return its bearer token; only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    await Session.create(
        user=user,
        token_hash=hash_token(token),
        auth_method=method,
        expires_at=now() + SESSION_LIFETIME,
    )
    user.last_login_at = now()
    await user.save(update_fields=["last_login_at"])
    return token


class UserDisabled(DomainError):
    code = ErrorCode.USER_DISABLED


def refuse_if_disabled(user: User) -> None:
    if user.disabled_at is not None:
        raise UserDisabled("This user is disabled: ask one of the account's super admins.")


async def sign_in(user: User, method: AuthMethod) -> str:
    """A session for a user who has proved who they are, recorded in the audit log."""
    refuse_if_disabled(user)
    token = await start_session(user, method)
    await activity.record_event(
        user.account_id,
        user.id,
        "LOGIN",
        target_type="user",
        target_id=user.id,
        method=method.value,
    )
    return token


async def login(email: str, password: str, client_address: str | None) -> tuple[str, User]:
    """Signs in with a password, within the limits on attempts (`throttle`)."""
    # Text no user's email or password can be is refused before it counts as an attempt.
    email = check_text(email.strip().lower(), "email", EMAIL_LENGTH)
    check_text(password, "password")
    attempt = await throttle.admit(email, client_address)
    user = await User.get_or_none(email=email)
    # Verify even for an unknown email, so timing does not tell which addresses exist.
    if not passwords.verify_password(user.password_hash if user else None, password) or not user:
        await attempt.failed(user)
        metrics.login_failures.labels("wrong_password").inc()
        raise Unauthenticated("The email or password is wrong.")
    await attempt.succeeded()
    return await sign_in(user, AuthMethod.PASSWORD), user


async def authenticate(token: str) -> Viewer:
    session = await _session_with_user(hash_token(token))
    if session is None or session.expires_at <= now():
        raise Unauthenticated("The session is unknown or has expired; sign in again.")
    # Disabling deletes the user's sessions; this holds even for one created at that instant.
    if session.user.disabled_at is not None:
        raise Unauthenticated("The session has ended: the user is disabled.")
    # GraphQL over HTTP and websockets, and uploads, all authenticate here.
    log_context.set_account(session.user.account_id)
    return Viewer(user=session.user, session=session)


async def _session_with_user(token_hash: str) -> Session | None:
    """The session of a token's hash with its user, as `select_related("user")` reads them, by a
    statement of its own: every request authenticates, and Tortoise's building of that query
    and of its rows cost more than the database's answer (0.7 of 1.0 ms a request)."""
    connection = connections.get("default")
    sql = _session_with_user_sql(placeholder(connection, 1))
    _, rows = await connection.execute_query(sql, [token_hash])
    if not rows:
        return None
    session = _from_row(Session, "s", rows[0])
    # Where Tortoise keeps a related object it read: `session.user` answers it.
    object.__setattr__(session, "_user", _from_row(User, "u", rows[0]))
    return session


@functools.cache
def _session_with_user_sql(token_hash: str) -> str:
    """Each column of the session (s) and of its user (u), named `s.column` and `u.column`."""
    columns = ", ".join(
        f'{alias}."{column}" AS "{alias}.{column}"'
        for alias, model in (("s", Session), ("u", User))
        for column in sorted(model._meta.db_fields)
    )
    return (
        f"SELECT {columns} FROM {Session._meta.db_table} AS s "
        f"JOIN {User._meta.db_table} AS u ON u.id = s.user_id WHERE s.token_hash = {token_hash}"
    )


def _from_row(model: type[M], alias: str, row: Mapping[str, Any]) -> M:
    """The model object of the columns named `alias.column`, built as Tortoise builds the
    objects of a query (saved, each value converted for the database in use)."""
    return model._init_from_db(
        **{column: row[f"{alias}.{column}"] for column in model._meta.db_fields}
    )


async def logout(viewer: Viewer) -> None:
    session = person_session(viewer)
    await Session.filter(id=session.id).delete()
    # Live connections on every replica close at once, not at their next operation.
    await access_changes.credential_ended(session.user_id, session.id)


def person_session(viewer: Viewer) -> Session:
    """The session of a viewer who must be a person signed in (not a token, not the CLI)."""
    viewer.require_person()
    if viewer.session is None:
        raise Unauthenticated("This needs a signed-in session.")
    return viewer.session


async def end_all_sessions(user_id: UUID) -> None:
    """Signs the user out everywhere: every session goes, and live connections close at once."""
    await Session.filter(user_id=user_id).delete()
    await access_changes.all_sessions_ended(user_id)


async def delete_expired_sessions() -> int:
    return await Session.filter(expires_at__lte=now()).delete()
