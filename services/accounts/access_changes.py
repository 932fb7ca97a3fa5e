"""Changes to a signed-in user's access, published on the user's channel after they commit, for
whoever holds a live connection for that user: one of their sessions ended (sign-out), or their
role changed. Expiry is not published: a session's `expires_at` already says when it ends."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from models.accounts import Session
from services import events


class AccessChangeKind(StrEnum):
    SESSION_ENDED = "SESSION_ENDED"
    ROLE_CHANGED = "ROLE_CHANGED"


@dataclass(frozen=True)
class AccessChange:
    kind: AccessChangeKind
    # The session that ended; None when the change holds for every session of the user.
    session_id: str | None = None

    def concerns(self, session: Session) -> bool:
        return self.session_id is None or self.session_id == str(session.id)

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "AccessChange":
        return cls(AccessChangeKind(message["kind"]), message["session_id"])

    def to_message(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "session_id": self.session_id}


def channel(user_id: UUID) -> str:
    return f"access:{user_id}"


async def publish(user_id: UUID, change: AccessChange) -> None:
    await events.announce(channel(user_id), change.to_message())


async def session_ended(session: Session) -> None:
    await publish(session.user_id, AccessChange(AccessChangeKind.SESSION_ENDED, str(session.id)))


async def all_sessions_ended(user_id: UUID) -> None:
    await publish(user_id, AccessChange(AccessChangeKind.SESSION_ENDED))


async def role_changed(user_id: UUID) -> None:
    await publish(user_id, AccessChange(AccessChangeKind.ROLE_CHANGED))


@contextlib.asynccontextmanager
async def watch(user_id: UUID) -> AsyncIterator[AsyncIterator[AccessChange]]:
    """The user's access changes from the moment this is entered."""
    async with events.bus().subscribe(channel(user_id)) as messages:
        yield (AccessChange.from_message(message) async for message in messages)
