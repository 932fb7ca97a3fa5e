"""Changes to a signed-in user's access, published on the user's channel after they commit, for
whoever holds a live connection for that user: one of their credentials ended (a sign-out, an
API token of theirs revoked), or their role changed. Expiry is not published: a credential's
`expires_at` already says when it ends."""

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from models.accounts import ApiToken, Session
from services import events


class AccessChangeKind(StrEnum):
    SESSION_ENDED = "SESSION_ENDED"
    ROLE_CHANGED = "ROLE_CHANGED"


@dataclass(frozen=True)
class AccessChange:
    kind: AccessChangeKind
    # The session or API token that ended; None when the change holds for every credential of
    # the user.
    credential_id: str | None = None

    def concerns(self, credential: Session | ApiToken) -> bool:
        return self.credential_id is None or self.credential_id == str(credential.id)

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "AccessChange":
        return cls(AccessChangeKind(message["kind"]), message["credential_id"])

    def to_message(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "credential_id": self.credential_id}


def channel(user_id: UUID) -> str:
    return f"access:{user_id}"


async def publish(user_id: UUID, change: AccessChange) -> None:
    await events.announce(channel(user_id), change.to_message())


async def credential_ended(user_id: UUID, credential_id: UUID) -> None:
    await publish(user_id, AccessChange(AccessChangeKind.SESSION_ENDED, str(credential_id)))


async def all_sessions_ended(user_id: UUID) -> None:
    await publish(user_id, AccessChange(AccessChangeKind.SESSION_ENDED))


async def role_changed(user_id: UUID) -> None:
    await publish(user_id, AccessChange(AccessChangeKind.ROLE_CHANGED))


@contextlib.asynccontextmanager
async def watch(user_id: UUID) -> AsyncIterator[AsyncIterator[AccessChange]]:
    """The user's access changes from the moment this is entered."""
    async with events.bus().subscribe(channel(user_id)) as messages:
        yield (AccessChange.from_message(message) async for message in messages)
