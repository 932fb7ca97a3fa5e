"""One batch of an import's rows, decided and written in one transaction.

Per row, by record id, within the import's account only:
- a live record gets every property of the file's columns overwritten (blank clears);
- a record in the recycle bin is restored, then overwritten;
- a purged record is recreated with its original id, except a contact: a permanently deleted
  contact stays deleted (its data may have been erased on request);
- any other id (never here, another account's, another object type's), a value its property
  does not accept, text a database cannot store (in the id or a value), or an id repeated
  within the batch makes an error row; the others go on.

The transaction also advances the import's `rows_done` by compare-and-set on the claim: a
batch is applied whole and once, or not at all.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from models.crm import PurgedRecord, Record
from models.imports import Import, ImportRowError
from services import crm, jobs
from services.core import database
from services.core.clock import now
from services.core.text import text_problem
from services.crm import ChangeSource, RecordChange, properties_by_name
from services.imports.files import ImportFile

CONTACTS = "contacts"
# ImportRowError.record_id's length: a longer "id" from a file is cut.
MAX_RECORD_ID_CHARS = 64
# Shown in an error row's id in place of each character a database cannot store.
UNSTORABLE = "\ufffd"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    RESTORED = "restored"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class Row:
    # 1 for the first data row of its file.
    number: int
    record_id: str
    # The non-blank values; a column of the file without one clears that property.
    values: dict[str, str]


class RowRefused(Exception):
    """Why a row was not applied; the message names properties, never values."""


@dataclass
class _Plan:
    job: Import
    file: ImportFile
    existing: dict[UUID, Record]
    purged: dict[UUID, PurgedRecord]
    counts: Counter[str] = field(default_factory=Counter)
    overwritten: list[Record] = field(default_factory=list)
    restored: list[UUID] = field(default_factory=list)
    created: list[Record] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)
    changes: list[RecordChange] = field(default_factory=list)
    _seen: dict[UUID, int] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        try:
            outcome = self._decide(row)
        except RowRefused as refusal:
            self.errors.append(
                ImportRowError(
                    import_job_id=self.job.id,
                    object_type_name=self.file.name,
                    row_number=row.number,
                    record_id=_storable(row.record_id[:MAX_RECORD_ID_CHARS]),
                    reason=str(refusal),
                )
            )
            outcome = Outcome.FAILED
        self.counts[outcome] += 1

    def _decide(self, row: Row) -> Outcome:
        record_id = self._parse_id(row)
        self._check_values(row)
        record = self.existing.get(record_id)
        if record is not None:
            return self._overwrite(record, row)
        tombstone = self.purged.get(record_id)
        if tombstone is not None:
            return self._recreate(record_id, tombstone, row)
        raise RowRefused("No record with this id exists in this account.")

    def _parse_id(self, row: Row) -> UUID:
        problem = text_problem(row.record_id)
        if problem is not None:
            raise RowRefused(f"id: {problem}.")
        try:
            record_id = UUID(row.record_id)
        except ValueError:
            raise RowRefused("The id is not a record id.") from None
        if record_id in self._seen:
            raise RowRefused(f"The id repeats that of row {self._seen[record_id]}.")
        self._seen[record_id] = row.number
        return record_id

    def _check_values(self, row: Row) -> None:
        definitions = properties_by_name(self.file.object_type)
        problems = []
        for name, value in row.values.items():
            try:
                crm.check_value(definitions[name], value)
            except crm.InvalidValue as error:
                problems.append(f"{name}: {error}")
        if problems:
            raise RowRefused("; ".join(problems) + ".")

    def _check_type(self, object_type_id: UUID) -> None:
        if object_type_id != self.file.object_type.id:
            raise RowRefused(f"This id belongs to a record that is not one of {self.file.name}.")

    def _overwrite(self, record: Record, row: Row) -> Outcome:
        self._check_type(record.object_type_id)
        before = record.properties
        after = {name: value for name, value in before.items() if name not in self.file.columns}
        after.update(row.values)
        changed = sorted(
            name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
        )
        in_bin = record.deleted_at is not None
        if not changed and not in_bin:
            return Outcome.UNCHANGED
        record.properties = after
        record.updated_at = now()
        self.overwritten.append(record)
        if in_bin:
            self.restored.append(record.id)
        self._changed(record.id, changed)
        return Outcome.RESTORED if in_bin else Outcome.UPDATED

    def _recreate(self, record_id: UUID, tombstone: PurgedRecord, row: Row) -> Outcome:
        self._check_type(tombstone.object_type_id)
        if self.file.name == CONTACTS:
            raise RowRefused("Permanently deleted contact: it cannot be brought back.")
        self.created.append(
            Record(
                id=record_id,
                account_id=self.job.account_id,
                object_type_id=self.file.object_type.id,
                properties=dict(row.values),
            )
        )
        self._changed(record_id, sorted(row.values))
        return Outcome.CREATED

    def _changed(self, record_id: UUID, properties: list[str]) -> None:
        self.changes.append(
            RecordChange(
                record_id=str(record_id),
                object_type=self.file.name,
                source=ChangeSource.IMPORT.value,
                properties=properties,
                job_id=str(self.job.id),
            )
        )


def _storable(text: str) -> str:
    """`text` with each character a database cannot store (NUL, a lone surrogate) replaced."""
    if text_problem(text) is None:
        return text
    return "".join(UNSTORABLE if text_problem(char) else char for char in text)


def _ids(rows: Sequence[Row]) -> set[UUID]:
    found = set()
    for row in rows:
        try:
            found.add(UUID(row.record_id))
        except ValueError:
            continue
    return found


async def _planned(job: Import, file: ImportFile, rows: Sequence[Row]) -> _Plan:
    ids = _ids(rows)
    # Locked until the batch commits: an edit made meanwhile waits rather than being lost.
    existing = await Record.filter(account_id=job.account_id, id__in=ids).select_for_update()
    purged = await PurgedRecord.filter(
        account_id=job.account_id, id__in=ids - {record.id for record in existing}
    )
    plan = _Plan(
        job,
        file,
        existing={record.id: record for record in existing},
        purged={tombstone.id: tombstone for tombstone in purged},
    )
    for row in rows:
        plan.add(row)
    return plan


async def _write(plan: _Plan) -> None:
    if plan.overwritten:
        await Record.bulk_update(plan.overwritten, fields=["properties", "updated_at"])
    if plan.restored:
        await Record.filter(id__in=plan.restored).update(deleted_at=None)
    if plan.created:
        # The record exists again: a later purge leaves a new tombstone.
        await PurgedRecord.filter(id__in=[record.id for record in plan.created]).delete()
        await Record.bulk_create(plan.created)
    if plan.errors:
        await ImportRowError.bulk_create(plan.errors)


async def apply_batch(
    held: jobs.Claim[Import],
    file: ImportFile,
    rows: Sequence[Row],
    rows_done: int,
    counts: Counter[str],
) -> Counter[str]:
    """Apply `rows`, the ones after the first `rows_done` of the import, on top of `counts`,
    with their change events. Returns the new counts; raises LostClaim (and
    writes nothing) if the job is no longer this worker's or the batch was applied already."""
    async with database.transaction() as connection:
        plan = await _planned(held.row, file, rows)
        await _write(plan)
        total = counts + plan.counts
        advanced = (
            await held.mine()
            .filter(rows_done=rows_done)
            .update(rows_done=rows_done + len(rows), counts=dict(total))
        )
        if not advanced:
            raise jobs.LostClaim(str(held.row.id))
        await crm.record_changes(connection, held.row.account_id, plan.changes)
    return total
