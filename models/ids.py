"""Primary keys: time-ordered UUIDv7, so ids sort by creation and cannot be enumerated."""

from uuid import UUID

import uuid_utils.compat


def new_id() -> UUID:
    return uuid_utils.compat.uuid7()
