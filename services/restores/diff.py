"""Comparing a record's current values with the ones a restore is to set, and tallying what
applying a batch did. Shared by the plan (which only counts) and the job (which writes)."""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from pydantic import BaseModel

from services.restores.source import Target, Values


@dataclass(frozen=True)
class Change:
    """One record's chosen properties before and after; None where blank."""

    record_id: UUID
    before: dict[str, str | None]
    after: dict[str, str | None]

    @property
    def changed_properties(self) -> list[str]:
        return [name for name, value in self.before.items() if value != self.after[name]]


@dataclass(frozen=True)
class ChangedRecord:
    """What a change event says of a changed record."""

    record_id: str
    # The chosen properties whose value changed (set, replaced or cleared).
    properties: list[str]


class Outcome(Enum):
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    CHANGE = "change"


def subset(values: Values, properties: Iterable[str]) -> Values:
    return {name: values[name] for name in properties if name in values}


def compare(target: Target, current: Values, properties: list[str]) -> Outcome:
    """`current` holds the record's values for `properties` only."""
    if current == target.values:
        return Outcome.UNCHANGED
    if target.expected is not None and current != target.expected:
        return Outcome.CONFLICT
    return Outcome.CHANGE


def change(target: Target, current: Values, properties: list[str]) -> Change:
    return Change(
        target.record_id,
        before={name: current.get(name) for name in properties},
        after={name: target.values.get(name) for name in properties},
    )


class AppliedCounts(BaseModel):
    """What applying really did, summed over the batches committed so far; stored on the
    restore row in each batch's transaction, so a resumed job carries on from it."""

    batches_done: int = 0
    records_changed: int = 0
    values_set: int = 0
    values_cleared: int = 0
    # Live records that already held the values.
    records_unchanged: int = 0
    # In the recycle bin or purged: never recreated.
    records_skipped: int = 0
    # A revert's records changed again since the restore: left alone.
    conflicts: int = 0

    @property
    def records_read(self) -> int:
        """Records of the source gone through: each batch's are counted once, in one of the
        above."""
        return self.records_changed + self.records_unchanged + self.records_skipped + self.conflicts


@dataclass(frozen=True)
class BatchResult:
    changed: list[ChangedRecord]
    # Records of the batch that are live (not deleted nor purged).
    live: int
    conflicts: int
    # Over the changed records' changed properties: values set (or replaced), values cleared.
    values_set: int
    values_cleared: int

    @classmethod
    def of(cls, changes: list[Change], live: int, conflicts: int) -> "BatchResult":
        changed = [
            ChangedRecord(str(change.record_id), change.changed_properties) for change in changes
        ]
        after = [
            change.after[name]
            for change, record in zip(changes, changed, strict=True)
            for name in record.properties
        ]
        return cls(
            changed=changed,
            live=live,
            conflicts=conflicts,
            values_set=sum(value is not None for value in after),
            values_cleared=sum(value is None for value in after),
        )

    def added_to(self, counts: AppliedCounts, batch_size: int) -> AppliedCounts:
        changed = len(self.changed)
        return AppliedCounts(
            batches_done=counts.batches_done + 1,
            records_changed=counts.records_changed + changed,
            values_set=counts.values_set + self.values_set,
            values_cleared=counts.values_cleared + self.values_cleared,
            records_unchanged=counts.records_unchanged + self.live - changed - self.conflicts,
            records_skipped=counts.records_skipped + batch_size - self.live,
            conflicts=counts.conflicts + self.conflicts,
        )
