"""What a plan found, as stored on the restore (`Restore.plan`) and shown before it starts: per
object type and in all, per property, sample changes, and the sentences the acknowledgements
accept."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from models.restores import RestoreKind, RestoreSource
from services.core.text import plural
from services.restores.diff import Tally
from services.restores.triage import CONTACTS


class PropertyPlan(BaseModel):
    name: str
    label: str
    sensitive: bool
    to_change: int = 0
    # Blank in the source, set now.
    to_clear: int = 0
    unchanged: int = 0


class SampleChange(BaseModel):
    record_id: UUID
    object_type: str = ""
    property: str
    current: str | None
    target: str | None
    # Sensitive properties are no longer sampled; plans stored before kept such samples, valueless.
    redacted: bool = False


class Counts(BaseModel):
    """What happens to the source's records; each is counted once."""

    records_in_source: int = 0
    # Live records whose values change, and ones that hold them already.
    records_to_change: int = 0
    records_unchanged: int = 0
    # From a file: out of the recycle bin, created again with their ids, rows refused.
    records_to_bring_back: int = 0
    records_to_recreate: int = 0
    records_refused: int = 0
    # From a backup: records in the recycle bin and purged ones, left alone (the guidance
    # says how to get them back).
    records_deleted: int = 0
    records_purged: int = 0
    # Live records the backup does not hold: left alone.
    records_created_since: int = 0
    # A revert's records changed again since the restore: left alone.
    conflicts: int = 0

    def add(self, other: "Counts") -> None:
        for name in Counts.model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ObjectPlan(Counts):
    object_type: str
    # As people read them: "Deals", "Deal".
    label: str
    singular_label: str
    properties: list[PropertyPlan]

    def records(self, count: int) -> str:
        """ "1 deal", "2 deals", in the object type's words."""
        return plural(count, self.singular_label, self.label)


class PlanSummary(Counts):
    """What the plan found, in all and per object type."""

    # When the values to restore were current: the backup's snapshot, or the restore's end;
    # None for an uploaded CSV, which does not say.
    values_as_of: datetime | None
    # When the comparison ended: the plan goes stale an hour later.
    planned_at: datetime | None = None
    objects: list[ObjectPlan] = []
    # From a backup's file with associations.csv: associations to add, already there, and
    # refused as a record they link is missing (or not restored); a revert's to remove.
    associations_to_add: int = 0
    associations_present: int = 0
    associations_refused: int = 0
    associations_to_remove: int = 0
    # The properties of the plan's one object type; see `objects` when it has several.
    properties: list[PropertyPlan] = []
    conflicting_record_ids: list[UUID] = []
    samples: list[SampleChange] = []
    guidance: list[str] = []
    # What `acknowledgeDataChange` and `acknowledgeIrreversible` acknowledge.
    data_change_notice: str = ""
    irreversible_notice: str = ""

    def total(self) -> None:
        """The counts in all, from the objects'."""
        totals = Counts()
        for plan in self.objects:
            totals.add(plan)
        for name in Counts.model_fields:
            setattr(self, name, getattr(totals, name))
        self.properties = self.objects[0].properties if len(self.objects) == 1 else []

    def add_associations(self, counted: Tally) -> None:
        self.associations_to_add += counted.associations_added
        self.associations_present += counted.associations_present
        self.associations_refused += counted.associations_refused
        self.associations_to_remove += counted.associations_removed

    def word(self, kind: RestoreKind, source: RestoreSource, as_new_records: bool = False) -> None:
        """The guidance and the notices, once counted."""
        self.guidance = [line for plan in self.objects for line in _guidance(plan)]
        if self.associations_refused:
            associations = plural(self.associations_refused, "association", "associations")
            self.guidance.append(
                f"{associations} in the file left out: a record they link is not in this "
                "account, nor brought back by the restore."
            )
        if kind == RestoreKind.REVERT:
            self.data_change_notice = _revert_notice(self)
        elif source == RestoreSource.FILE:
            self.data_change_notice = _file_notice(self, as_new_records)
        else:
            self.data_change_notice = _backup_notice(self)
        self.irreversible_notice = (
            IRREVERSIBLE_REVERT if kind == RestoreKind.REVERT else IRREVERSIBLE
        )


ANNOUNCED = (
    "Every changed record is announced to workflows and integrations, which may act on it "
    "(re-enrolment, emails): that cannot be undone."
)
IRREVERSIBLE = (
    f"{ANNOUNCED} What the restore changes can be reverted for 14 days (however long the "
    "account keeps its backups), on the records not changed again since."
)
# A revert is not revertible itself (revertible_until): its notice must not promise it.
IRREVERSIBLE_REVERT = f"{ANNOUNCED} A revert cannot itself be reverted."


def _as_of(summary: PlanSummary, source: str) -> str:
    """No clock time: the page shows `values_as_of` in the reader's own zone beside it."""
    if summary.values_as_of is None:
        return "the time it was made"
    return f"the {source}'s snapshot"


def _backup_notice(summary: PlanSummary) -> str:
    [plan] = summary.objects
    labels = ", ".join(prop.label for prop in plan.properties)
    return (
        f"{labels}: the values of {plan.records(plan.records_to_change)} are replaced with "
        f"those of {_as_of(summary, 'backup')}; changes made since to these properties are "
        "overwritten."
    )


def _file_notice(summary: PlanSummary, as_new_records: bool) -> str:
    if as_new_records:
        return _as_new_notice(summary)
    parts = []
    for plan in summary.objects:
        written = plan.records_to_change + plan.records_to_bring_back + plan.records_to_recreate
        parts.append(
            f"{plan.records(written)} ({plan.records_to_bring_back:,} taken out of the recycle "
            f"bin, {plan.records_to_recreate:,} created again)"
        )
    return (
        f"The file's values for every column it has, as of {_as_of(summary, 'file')}, replace "
        f"today's (blank values clear) for {'; '.join(parts)}. Changes made since to these "
        f"properties are overwritten.{_associations_notice(summary)}"
    )


def _as_new_notice(summary: PlanSummary) -> str:
    """Nothing of today's is overwritten: every row is a record of its own."""
    created = "; ".join(plan.records(plan.records_to_recreate) for plan in summary.objects)
    return (
        f"{created}, all created as new records with new ids and the file's values, as of "
        f"{_as_of(summary, 'file')}. None is matched to a record of this account, and none of "
        "this account's records changes."
    )


def _associations_notice(summary: PlanSummary) -> str:
    if not summary.associations_to_add:
        return ""
    added = plural(summary.associations_to_add, "association", "associations")
    return f" {added} between the records are added."


def _revert_notice(summary: PlanSummary) -> str:
    parts = []
    for plan in summary.objects:
        labels = ", ".join(prop.label for prop in plan.properties)
        parts.append(f"{labels}: {plan.records(plan.records_to_change)} get back")
    return (
        "; ".join(parts) + " the values they held before the restore; records it brought back "
        "return to the recycle bin, and records it created again are deleted again."
        + _removed_notice(summary)
    )


def _removed_notice(summary: PlanSummary) -> str:
    if not summary.associations_to_remove:
        return ""
    removed = plural(summary.associations_to_remove, "association", "associations")
    return f" {removed} it added are removed."


def _purged(plan: ObjectPlan) -> str:
    """What becomes of purged records: a file recreates them, except contacts (triage.py)."""
    if plan.object_type == CONTACTS:
        return "are gone for good: no restore can create a contact again."
    return "are not created again: restoring from the backup's file brings them back."


def _guidance(plan: ObjectPlan) -> list[str]:
    lines = []
    if plan.records_deleted:
        lines.append(
            f"{plan.records(plan.records_deleted)} in the recycle bin are left there: take them "
            "out of it first, then plan again to restore their values too."
        )
    if plan.records_purged:
        lines.append(f"{plan.records(plan.records_purged)} deleted permanently {_purged(plan)}")
    if plan.records_created_since:
        lines.append(
            f"{plan.records(plan.records_created_since)} created since the backup are left as "
            "they are."
        )
    if plan.records_refused:
        rows = plural(plan.records_refused, "row", "rows")
        lines.append(
            f"{rows} of {plan.label.lower()} in the file refused, each with its reason: "
            "download them to fix and send again."
        )
    if plan.conflicts:
        lines.append(
            f"{plan.records(plan.conflicts)} changed again since the restore and are left as "
            "they are; the others get their previous values back."
        )
    return lines
