"""Where a restore's values come from, as parts (one object type each) of batches of records
in a stable order: the backup's file of one object type, every file of an uploaded one, or the
values a restore overwrote for its revert.

A batch's position in that order (across parts) is its number: a resumed job skips the batches
it finished.
"""

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import TypeVar
from uuid import UUID

from tortoise.queryset import QuerySet

from models.crm import ObjectType
from models.restores import (
    ChangeAction,
    Restore,
    RestoreAssociation,
    RestoreChange,
    RestoreKind,
    RestoreSource,
)
from services.backups import (
    BackupReader,
    CorruptBackup,
    FileEntry,
    UnsafeFile,
    backup_file,
    entry_for,
    fetched,
)
from services.imports import FileRefused, ImportFile, Upload, account_types, open_upload
from services.restores.chosen import limited, only_chosen

BATCH_SIZE = 1_000

Values = dict[str, str]


@dataclass(frozen=True)
class Target:
    """The values one record is to get for the chosen properties (absent: to be cleared)."""

    record_id: UUID
    values: Values
    # For a revert: the values the restore left. A record that no longer holds them was
    # changed again since, and is left alone.
    expected: Values | None = None


@dataclass(frozen=True)
class Reverted:
    """What a revert undoes of one record, besides its values: how the restore changed it."""

    action: ChangeAction
    # For UNDELETE: when the record had been moved to the recycle bin.
    deleted_at: datetime | None


@dataclass(frozen=True)
class Targets:
    """A batch of targets column by column, as a file gives them and as the database takes
    them (an array per property): no object per record until one is asked for."""

    record_ids: Sequence[str]
    # Per chosen property, its value for each record; "" where blank (to be cleared).
    columns: dict[str, Sequence[str]]
    # A revert's `Target.expected`, per record.
    expected: Sequence[Values] | None = None
    # A revert's `Reverted`, per record.
    reverted: Sequence[Reverted] | None = None
    # The row number of the first record in its file (1 = the first data row).
    first_row: int = 1

    def __len__(self) -> int:
        return len(self.record_ids)

    def __iter__(self) -> Iterator[Target]:
        """Record by record, for the code that compares in Python (the plan, SQLite)."""
        for n in range(len(self.record_ids)):
            yield self.target(n)

    def target(self, n: int) -> Target:
        return Target(
            _uuid(self.record_ids[n]),
            self.values(n),
            None if self.expected is None else self.expected[n],
        )

    def values(self, n: int) -> Values:
        """Record `n`'s set values."""
        return {name: values[n] for name, values in self.columns.items() if values[n]}

    def only(self, keep: Sequence[int]) -> "Targets":
        """The records at positions `keep`, in order."""
        return Targets(
            [self.record_ids[n] for n in keep],
            {name: [values[n] for n in keep] for name, values in self.columns.items()},
            None if self.expected is None else [self.expected[n] for n in keep],
            None if self.reverted is None else [self.reverted[n] for n in keep],
        )


@dataclass(frozen=True)
class StagedRows:
    """A batch of an uploaded file as its plan staged it in the database
    (`services.restores.staged`): the file's rows `first_row` to `last_row` of a part (1 = the
    first data row), of which only those the plan found to write were staged. A file's batch of
    the same rows has the same number in the source's order."""

    first_row: int
    last_row: int
    # The file's batches it spans: the job writes several at once (`joined`), and they count
    # as that many in its `batches_done`, so that a job resumed from the file stays aligned.
    batches: int = 1

    def __len__(self) -> int:
        """The file's rows in the batch, refused ones included."""
        return self.last_row - self.first_row + 1

    def joined(self, after: "StagedRows") -> "StagedRows":
        """This batch and the one right `after` it in its file, as one."""
        return StagedRows(self.first_row, after.last_row, self.batches + after.batches)


def _uuid(record_id: str) -> UUID:
    try:
        return UUID(record_id)
    except ValueError:
        raise CorruptBackup(f"The backup holds a malformed record id: {record_id!r}") from None


class NotInBackup(CorruptBackup):
    """The backup does not hold what a restore asks of it (an object type, a property)."""


@dataclass(frozen=True)
class Part:
    """The source's records of one object type, with the properties they set."""

    object_type: ObjectType
    names: list[str]
    # Records in the part, for progress.
    rows: int
    # Rows staged by the plan only for the job that applies a file (`services.restores.staged`).
    batches: AsyncIterator[Targets | StagedRows]
    # The properties as the source defines them (a backup's at its time), by name.
    labels: dict[str, str] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AssociationRows:
    """(from id, to id, label) rows of a backup file's associations.csv, to add."""

    rows: Sequence[Sequence[str]]


@dataclass(frozen=True)
class AddedAssociations:
    """For a revert: ids of the associations its restore added, to remove."""

    ids: Sequence[UUID]


AssociationBatch = AssociationRows | AddedAssociations


async def _none() -> AsyncIterator[AssociationBatch]:
    return
    yield


@dataclass(frozen=True)
class Source:
    parts: AsyncIterator[Part]
    # When the values were current: a backup's snapshot, the end of the restore a revert
    # undoes; None for an uploaded CSV, which does not say.
    values_as_of: datetime | None
    # Read once the parts are: the associations between the records.
    associations: AsyncIterator[AssociationBatch] = field(default_factory=_none)


def _defined(object_type: ObjectType, names: list[str]) -> tuple[dict[str, str], frozenset[str]]:
    """Labels and sensitive names of `names` as the account defines them now."""
    by_name = {prop.name: prop for prop in object_type.properties}
    labels = {name: by_name[name].label for name in names if name in by_name}
    return labels, frozenset(name for name in names if name in by_name and by_name[name].sensitive)


Batch = TypeVar("Batch")


async def _ahead(take: Callable[[], Batch | None]) -> AsyncGenerator[Batch, None]:
    """`take`'s batches, each read in a thread while the caller works on the one before: the
    next batch is decompressed and parsed while this one is applied."""
    ahead = asyncio.ensure_future(asyncio.to_thread(take))
    try:
        while batch := await ahead:
            ahead = asyncio.ensure_future(asyncio.to_thread(take))
            yield batch
    finally:
        # The file closes after this: no thread may still be reading it.
        await asyncio.wait([ahead])
        if not ahead.cancelled():
            ahead.exception()  # Read ahead for nothing: its error, if any, is not news.


def backup_batches(
    reader: BackupReader, entry: FileEntry, properties: list[str], size: int = BATCH_SIZE
) -> AsyncGenerator[Targets, None]:
    rows = reader.columns(entry, properties)

    def take() -> Targets | None:
        picked = list(islice(rows, size))
        if not picked:
            return None
        record_ids, *columns = zip(*picked, strict=True)
        return Targets(record_ids, dict(zip(properties, columns, strict=True)))

    return _ahead(take)


@contextlib.asynccontextmanager
async def _backup_source(restore: Restore) -> AsyncIterator[Source]:
    """A restore from a backup: the chosen properties of its one object type."""
    object_type, names = restore.object_type, restore.properties
    assert restore.backup is not None and object_type is not None  # A backup restore's.
    async with backup_file(restore.backup) as reader:
        entry = entry_for(reader, object_type.name)
        if entry is None:
            raise NotInBackup(f"The backup holds no {object_type.name}.")
        in_backup = {prop.name: prop for prop in entry.properties}
        if unknown := [name for name in names if name not in in_backup]:
            raise NotInBackup(f"Not in the backup's {object_type.name}: {', '.join(unknown)}.")
        labels = {name: in_backup[name].label for name in names}
        sensitive = frozenset(name for name in names if in_backup[name].sensitive)
        async with contextlib.aclosing(backup_batches(reader, entry, names)) as batches:
            if limited(restore):
                batches = only_chosen(restore, object_type.name, batches)
            part = Part(object_type, names, entry.rows, batches, labels, sensitive)
            yield Source(_one(part), reader.manifest.snapshot_at)


async def _one(part: Part) -> AsyncIterator[Part]:
    yield part


# An uploaded file.


@contextlib.asynccontextmanager
async def uploaded_file(restore: Restore) -> AsyncIterator[Upload]:
    """The restore's uploaded file, fetched into the work dir, its files checked as they are
    read (FileRefused for a damaged or malformed one, when it is found); deleted afterwards."""
    path = await fetched(restore.file_key, f"upload-{restore.id}", "The uploaded file is missing.")
    try:
        types = await account_types(restore.account_id)
        object_type = restore.object_type.name if restore.object_type else ""
        with contextlib.ExitStack() as stack:
            owner = None if restore.as_new_records else restore.account_id
            opened = open_upload(path, object_type, types, owner)
            yield await asyncio.to_thread(stack.enter_context, opened)
    except (CorruptBackup, UnsafeFile) as damaged:
        # What the person who sent the file must fix, not a backup of this service's.
        raise FileRefused(damaged.message) from damaged
    finally:
        path.unlink(missing_ok=True)


def file_batches(
    upload: Upload, file: ImportFile, size: int = BATCH_SIZE
) -> AsyncGenerator[Targets, None]:
    names = list(file.columns)
    rows = upload.rows(file)
    next_row = 1

    def take() -> Targets | None:
        nonlocal next_row
        picked = list(islice(rows, size))
        if not picked:
            return None
        first, next_row = next_row, next_row + len(picked)
        record_ids, *columns = zip(*picked, strict=True)
        return Targets(record_ids, dict(zip(names, columns, strict=True)), first_row=first)

    return _ahead(take)


@contextlib.asynccontextmanager
async def _file_source(restore: Restore) -> AsyncIterator[Source]:
    """A restore from an uploaded file: every column of each of its files, in file order."""
    async with uploaded_file(restore) as upload:
        # Restored as new records, the file's ids name no record here.
        if restore.as_new_records:
            yield Source(_file_parts(upload), upload.snapshot_at)
            return
        async with contextlib.aclosing(association_rows(upload)) as associations:
            yield Source(_file_parts(upload), upload.snapshot_at, associations)


def association_rows(
    upload: Upload, size: int = BATCH_SIZE
) -> AsyncGenerator[AssociationBatch, None]:
    rows = upload.associations()

    def take() -> AssociationRows | None:
        picked = list(islice(rows, size))
        return AssociationRows(picked) if picked else None

    return _ahead(take)


async def _file_parts(upload: Upload) -> AsyncIterator[Part]:
    for file in upload.files:
        names = list(file.columns)
        batches = file_batches(upload, file)
        async with contextlib.aclosing(batches):
            yield Part(
                file.object_type, names, file.rows, batches, *_defined(file.object_type, names)
            )


# What a restore overwrote, for its revert.


@contextlib.asynccontextmanager
async def _revert_source(revert: Restore) -> AsyncIterator[Source]:
    """The changes the restore `revert` undoes saved, one part per object type it changed."""
    reverts = await Restore.get(id=revert.reverts_id)
    yield Source(_change_parts(reverts), reverts.completed_at, added_associations(reverts.id))


async def _change_parts(reverts: Restore) -> AsyncIterator[Part]:
    changes = RestoreChange.filter(restore_id=reverts.id)
    # Changes saved before a restore could span several types name none: the restore's.
    type_ids: list[UUID | None] = list(
        await changes.distinct().values_list("object_type_id", flat=True)  # type: ignore[arg-type]
    )
    for type_id in sorted(type_ids, key=str):
        found = ObjectType.get(id=type_id or reverts.object_type_id)
        object_type = await found.prefetch_related("properties")
        of_type = _of_type(changes, type_id)
        first = await of_type.limit(1).values_list("after", flat=True)
        names = reverts.properties or list(first[0])
        rows = await of_type.count()
        batches = change_batches(reverts.id, type_id, names)
        async with contextlib.aclosing(batches):
            yield Part(object_type, names, rows, batches, *_defined(object_type, names))


def source_of(restore: Restore) -> contextlib.AbstractAsyncContextManager[Source]:
    """Where `restore`'s values come from (its object type and backup fetched)."""
    if restore.kind == RestoreKind.REVERT:
        return _revert_source(restore)
    if restore.source == RestoreSource.FILE:
        return _file_source(restore)
    return _backup_source(restore)


async def change_batches(
    restore_id: UUID, object_type_id: UUID | None, names: list[str], size: int = BATCH_SIZE
) -> AsyncGenerator[Targets, None]:
    """What a restore overwrote, by record id: back to `before`, where `after` still holds."""
    changes = _of_type(RestoreChange.filter(restore_id=restore_id), object_type_id)
    after: UUID | None = None
    while True:
        page = changes if after is None else changes.filter(record_id__gt=after)
        rows = (
            await page.order_by("record_id")
            .limit(size)
            .values_list("record_id", "before", "after", "action", "deleted_at")
        )
        if not rows:
            return
        yield Targets(
            [str(record_id) for record_id, *_ in rows],
            {name: [before.get(name) or "" for _, before, *_ in rows] for name in names},
            [present(expected) for _, _, expected, *_ in rows],
            [Reverted(ChangeAction(action), deleted_at) for *_, action, deleted_at in rows],
        )
        after = UUID(str(rows[-1][0]))


async def added_associations(
    restore_id: UUID, size: int = BATCH_SIZE
) -> AsyncGenerator[AssociationBatch, None]:
    """The associations the restore added, by id."""
    added = RestoreAssociation.filter(restore_id=restore_id).order_by("association_id")
    after: UUID | None = None
    while True:
        page = added if after is None else added.filter(association_id__gt=after)
        ids = await page.limit(size).values_list("association_id", flat=True)
        if not ids:
            return
        yield AddedAssociations([UUID(str(id_)) for id_ in ids])
        after = UUID(str(ids[-1]))


def _of_type(
    changes: QuerySet[RestoreChange], object_type_id: UUID | None
) -> QuerySet[RestoreChange]:
    if object_type_id is None:
        return changes.filter(object_type_id__isnull=True)
    return changes.filter(object_type_id=object_type_id)


def present(values: dict[str, str | None]) -> Values:
    """The values that are set (a saved change writes blank ones as null)."""
    return {name: value for name, value in values.items() if value is not None}
