"""Primary keys: time-ordered UUIDv7, so ids sort by creation and cannot be enumerated."""

from uuid import UUID

import uuid_utils
import uuid_utils.compat


def new_id() -> UUID:
    return uuid_utils.compat.uuid7()


def new_ids_text(count: int) -> list[str]:
    """`count` ids as text, for a statement that inserts up to that many rows: making the
    standard library's UUID objects costs several times more."""
    return [str(uuid_utils.uuid7()) for _ in range(count)]
