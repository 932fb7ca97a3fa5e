"""Change events for records: the hook through which workflows (re-enrollment and the like)
react to restores and imports. Written in the transaction that makes the change
(`services.crm.outbox`), published by the relay (`services.crm.relay`), heard with
`services.crm.live`."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID


class ChangeSource(StrEnum):
    API = "API"
    RESTORE = "RESTORE"
    IMPORT = "IMPORT"


@dataclass(frozen=True)
class RecordChange:
    record_id: str
    object_type: str
    source: str
    # The properties whose value changed (set, replaced or cleared).
    properties: list[str]
    # The restore or import that made the change, if any.
    job_id: str | None = None

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> "RecordChange":
        return cls(**message)

    def to_message(self) -> dict[str, Any]:
        # Not `asdict`: its deep copy cost a restore a tenth of its time.
        return dict(vars(self))


def channel(account_id: UUID, object_type: str) -> str:
    return f"records:{account_id}:{object_type}"


@dataclass(frozen=True)
class ChangeEvent:
    """A change as a subscriber hears it, with the id it can de-duplicate on and resume after."""

    id: str
    change: RecordChange
