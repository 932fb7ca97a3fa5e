"""What a comparison found, as stored on its row: counts per object type and property, and a
few sample changes per property (never of a sensitive one)."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

# Samples kept per property: enough to recognise a bulk edit, few enough to read.
MAX_SAMPLES = 5


class SampleChange(BaseModel):
    record_id: UUID
    # The record's display property (a contact's name or email, a deal's name), if set.
    record_name: str | None = None
    before: str | None = None
    after: str | None = None


class PropertyDiff(BaseModel):
    """One property's values on the records both sides hold."""

    name: str
    label: str
    sensitive: bool = False
    # Set on both sides, to different values.
    changed: int = 0
    # Blank before, set after.
    set: int = 0
    # Set before, blank after.
    cleared: int = 0
    samples: list[SampleChange] = Field(default_factory=list)

    @property
    def differing(self) -> int:
        return self.changed + self.set + self.cleared

    def count(self, before: str, after: str) -> None:
        """A value that differs ("" blank) counted as set, cleared or changed."""
        if not before:
            self.set += 1
        elif not after:
            self.cleared += 1
        else:
            self.changed += 1

    @property
    def wants_sample(self) -> bool:
        """While there is room; a sensitive value is counted, never shown."""
        return not self.sensitive and len(self.samples) < MAX_SAMPLES

    def sample(self, sample: SampleChange) -> None:
        if self.wants_sample:
            self.samples.append(sample)


class ObjectDiff(BaseModel):
    object_type: str
    records_before: int = 0
    records_after: int = 0
    added: int = 0
    # Gone from the later side: into the recycle bin, or purged for good.
    deleted: int = 0
    purged: int = 0
    changed: int = 0
    unchanged: int = 0
    properties: list[PropertyDiff] = Field(default_factory=list)

    @property
    def removed(self) -> int:
        return self.deleted + self.purged

    @property
    def in_both(self) -> int:
        """Records both sides hold."""
        return self.changed + self.unchanged


class ComparisonSummary(BaseModel):
    from_snapshot_at: datetime | None = None
    # None until computed; for a comparison with today, when the records were read.
    to_snapshot_at: datetime | None = None
    objects: list[ObjectDiff] = Field(default_factory=list)
    # For a comparison after a backup: what passed the account's thresholds.
    mass_changes: list["MassChange"] = Field(default_factory=list)


class MassChange(BaseModel):
    """A change past the account's thresholds, found by a comparison after a backup: an object
    type's records removed (`property` None), or a property's values changed."""

    object_type: str
    property: str | None = None
    # Records removed, or values changed, set or cleared.
    count: int
    # What the percentage is of: the object type's records before, or the records both
    # sides hold.
    out_of: int
