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


@dataclass(frozen=True)
class Writing:
    """Where a batch's writes go: the restore that saves them, as which batch, to the
    records of which object type, for which properties."""

    restore_id: UUID
    number: int
    object_type_id: UUID
    names: list[str]


class Outcome(Enum):
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    CHANGE = "change"


def subset(values: Values, properties: Iterable[str]) -> Values:
    return {name: values[name] for name in properties if name in values}


def merged(values: Values, after: dict[str, str | None]) -> Values:
    """`values` with the properties of `after` replaced (set, or cleared where None)."""
    kept = {name: value for name, value in values.items() if name not in after}
    return kept | {name: value for name, value in after.items() if value is not None}


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


# Each record of a batch is counted in one of these.
RECORD_COUNTS = (
    "records_changed",
    "records_unchanged",
    "records_skipped",
    "conflicts",
    "records_brought_back",
    "records_recreated",
    "records_refused",
    "records_returned_to_bin",
    "records_removed",
)


class Tally(BaseModel):
    """What applying did, to records and values: one batch's, or summed over batches."""

    records_changed: int = 0
    values_set: int = 0
    values_cleared: int = 0
    # Live records that already held the values.
    records_unchanged: int = 0
    # A backup's records in the recycle bin or purged: never recreated by a backup restore.
    records_skipped: int = 0
    # A revert's records changed again since the restore: left alone.
    conflicts: int = 0
    # From a file: records taken out of the recycle bin, purged ones created again, and rows
    # refused.
    records_brought_back: int = 0
    records_recreated: int = 0
    records_refused: int = 0
    # A revert of a restore from a file: records it brought back sent to the recycle bin
    # again, and records it recreated deleted again.
    records_returned_to_bin: int = 0
    records_removed: int = 0
    # From a backup's file: associations added, already there, refused (a record missing); a
    # revert's: those the restore added, removed.
    associations_added: int = 0
    associations_present: int = 0
    associations_refused: int = 0
    associations_removed: int = 0

    @property
    def records_read(self) -> int:
        """Records of the source gone through: each is counted once, in one of the above."""
        return sum(getattr(self, name) for name in RECORD_COUNTS)

    def tallied(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in Tally.model_fields}


class AppliedCounts(Tally):
    """Summed over the batches committed so far; stored on the restore row in each batch's
    transaction, so a resumed job carries on from it."""

    batches_done: int = 0


class BatchResult(Tally):
    """What applying one batch did; `changed` are the records to announce."""

    changed: list[ChangedRecord] = []

    @classmethod
    def of_live(cls, changed: list[ChangedRecord], live: int, conflicts: int) -> "BatchResult":
        """Of the live records compared: `live` of them, `changed` and `conflicts` among them."""
        # Built as is: the records come from the database, not from a caller to check.
        return cls.model_construct(
            changed=changed,
            records_changed=len(changed),
            records_unchanged=live - len(changed) - conflicts,
            conflicts=conflicts,
        )

    def add(self, other: "BatchResult") -> None:
        self.changed.extend(other.changed)
        for name, count in other.tallied().items():
            setattr(self, name, getattr(self, name) + count)

    def count_values(self, changes: Iterable[Change]) -> None:
        """Over `changes`' changed properties: values set (or replaced), values cleared."""
        for item in changes:
            for name in item.changed_properties:
                if item.after[name] is None:
                    self.values_cleared += 1
                else:
                    self.values_set += 1

    def added_to(self, counts: AppliedCounts, batch_size: int, batches: int = 1) -> AppliedCounts:
        """`counts` with this batch's, which spans `batches` of the source's; its records not
        counted otherwise were skipped."""
        added = {name: getattr(counts, name) + count for name, count in self.tallied().items()}
        added["records_skipped"] += batch_size - self.records_read
        return AppliedCounts(batches_done=counts.batches_done + batches, **added)
