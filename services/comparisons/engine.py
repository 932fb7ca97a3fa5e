"""Comparing two sides, object type by object type: both sides' records come sorted by id, so
one pass over each, a batch at a time, finds the added, removed and changed records, and memory
stays flat however many records the sides hold. The differing records are stored a batch at a
time for the CSV download.

Two backups' files of the same properties are compared unparsed: a record whose bytes are the
same on both sides is unchanged, and most are, so only the others are parsed (the csv module's
parsing was most of a comparison's time, as it is of the floor's that reads both files once)."""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from models.comparisons import Comparison, RecordChange
from models.crm import PurgedRecord
from services.comparisons import stored
from services.comparisons.sides import BATCH_SIZE, Row, Side, TypeSide, UnparsedFile
from services.comparisons.summary import ObjectDiff, PropertyDiff, SampleChange
from services.crm import Names

# What the job reports as it goes: object type, records read, records on both sides.
Progress = Callable[[str, int, int], Awaitable[None]]

_EMPTY = TypeSide({}, 0, lambda columns: _nothing())


async def _nothing() -> AsyncIterator[list[Row]]:
    return
    yield


class _Cursor:
    """A side's records, a batch at a time: `rows` from `at` on are those not read yet."""

    def __init__(self, batches: AsyncIterator[Sequence[Any]]) -> None:
        self._batches = batches
        self.rows: Sequence[Any] = []
        self.at = 0
        self.read = 0

    async def ready(self) -> bool:
        """True while records are left; the next batch fetched when this one is read."""
        while self.at >= len(self.rows):
            batch = await anext(self._batches, None)
            if batch is None:
                return False
            self.rows, self.at = batch, 0
        return True

    def rest(self) -> Sequence[Any]:
        """The batch's records not read yet, read now."""
        rest = self.rows[self.at :]
        self.moved_to(len(self.rows))
        return rest

    def moved_to(self, at: int) -> None:
        self.read += at - self.at
        self.at = at


class TypeComparer:
    """One object type's comparison: counts on `diff`, differing records to the database."""

    def __init__(
        self,
        comparison: Comparison,
        object_type: str,
        sides: tuple[TypeSide, TypeSide],
        names: Names,
        to_at: datetime | None,
    ) -> None:
        self.comparison = comparison
        self.object_type = object_type
        self.before, self.after = sides
        self.names = names
        self.to_at = to_at
        self.diff = ObjectDiff(
            object_type=object_type,
            records_before=self.before.rows,
            records_after=self.after.rows,
            properties=self._properties(),
        )
        # The columns both sides' rows come in: the earlier side's properties in its order, then
        # any only the later side has. Where both hold the same properties (most often), each
        # file's rows come as parsed.
        self._columns = list(self.before.properties | self.after.properties)
        by_name = {prop.name: prop for prop in self.diff.properties}
        # Each column's counts, shown in name order.
        self._counts = [by_name[name] for name in self._columns]
        self._pending: list[stored.Found] = []
        self._removed: list[str] = []
        self._files = _unparsed_files(self.before, self.after)
        # A row of either side as compared, parsed.
        self._parsed: tuple[Callable[[Any], Row], Callable[[Any], Row]] = (
            (self._files[0].parse, self._files[1].parse)
            if self._files
            else (_as_parsed, _as_parsed)
        )

    def _properties(self) -> list[PropertyDiff]:
        defined = {**self.before.properties, **self.after.properties}
        return [
            PropertyDiff(name=name, label=definition.label, sensitive=self._sensitive(name))
            for name, definition in sorted(defined.items())
        ]

    def _sensitive(self, name: str) -> bool:
        """Sensitive on either side, or now: a value once secret is not shown later."""
        now = self.names.types.get(self.object_type)
        if now is not None and any(prop.sensitive for prop in now.properties if prop.name == name):
            return True
        sides = (self.before.properties, self.after.properties)
        return any(name in side and side[name].sensitive for side in sides)

    async def run(self, progress: Progress) -> ObjectDiff:
        before, after = self._cursors()
        total = self.before.rows + self.after.rows
        while True:
            old, new = await before.ready(), await after.ready()
            if not old and not new:
                break
            if not new:
                self._removed.extend(row[0] for row in before.rest())
            elif not old:
                for row in after.rest():
                    self._record(row[0], RecordChange.ADDED)
            else:
                self._merge(before, after)
            if len(self._pending) + len(self._removed) >= BATCH_SIZE:
                await self._flush()
                await progress(self.object_type, before.read + after.read, total)
        await self._flush()
        await progress(self.object_type, before.read + after.read, total)
        return self.diff

    def _cursors(self) -> tuple[_Cursor, _Cursor]:
        if self._files:
            old, new = self._files
            return _Cursor(old.batches()), _Cursor(new.batches())
        columns = self._columns
        return _Cursor(self.before.batches(columns)), _Cursor(self.after.batches(columns))

    def _merge(self, before: _Cursor, after: _Cursor) -> None:
        """Both batches in step until one of them is read. Most records are unchanged: for
        those, one comparison of two lists, or of two rows' bytes."""
        old, new = before.rows, after.rows
        i, j = before.at, after.at
        unchanged = 0
        while i < len(old) and j < len(new):
            was, now = old[i], new[j]
            if was == now:
                unchanged += 1
                i += 1
                j += 1
            elif was[0] == now[0]:
                old_values, new_values = self._parsed[0](was), self._parsed[1](now)
                if old_values == new_values:
                    # Bytes apart, values alike: rows written apart may quote them differently.
                    unchanged += 1
                else:
                    self._compare(old_values, new_values)
                i += 1
                j += 1
            elif was[0] < now[0]:
                self._removed.append(was[0])
                i += 1
            else:
                self._record(now[0], RecordChange.ADDED)
                j += 1
        self.diff.unchanged += unchanged
        before.moved_to(i)
        after.moved_to(j)

    def _compare(self, old: Row, new: Row) -> None:
        """A record on both sides whose values differ: counted per property, recorded, and
        shown as a sample where the property still wants one."""
        properties = self._counts
        differing = [n for n in range(1, len(old)) if old[n] != new[n]]
        for n in differing:
            properties[n - 1].count(old[n], new[n])
        # Named in name order whatever the columns' order: the CSV of differences lists them so.
        changed = sorted(properties[n - 1].name for n in differing)
        self._record(old[0], RecordChange.CHANGED, changed)
        wanting = [n for n in differing if properties[n - 1].wants_sample]
        if not wanting:
            return
        name = self._name(new) or self._name(old)
        for n in wanting:
            properties[n - 1].sample(
                SampleChange(
                    record_id=UUID(old[0]),
                    record_name=name,
                    before=old[n] or None,
                    after=new[n] or None,
                )
            )

    def _name(self, row: Row) -> str | None:
        values = {name: value for name, value in zip(self._columns, row[1:], strict=True) if value}
        return self.names.of_values(self.object_type, values)

    def _record(
        self, record_id: str, change: RecordChange, properties: list[str] | None = None
    ) -> None:
        if change == RecordChange.ADDED:
            self.diff.added += 1
        elif change == RecordChange.CHANGED:
            self.diff.changed += 1
        self._pending.append((record_id, change, properties or []))

    async def _flush(self) -> None:
        """The removed records of the batch told apart (purged: a tombstone from before the
        later side), then the batch's differing records stored."""
        if self._removed:
            purged = await self._purged(self._removed)
            for record_id in self._removed:
                gone = RecordChange.PURGED if record_id in purged else RecordChange.DELETED
                if gone == RecordChange.PURGED:
                    self.diff.purged += 1
                else:
                    self.diff.deleted += 1
                self._pending.append((record_id, gone, []))
            self._removed = []
        await stored.store(self.comparison.id, self.object_type, self._pending)
        self._pending = []

    async def _purged(self, record_ids: list[str]) -> set[str]:
        tombstones = PurgedRecord.filter(
            account_id=self.comparison.account_id, id__in=[UUID(each) for each in record_ids]
        )
        if self.to_at is not None:
            tombstones = tombstones.filter(purged_at__lte=self.to_at)
        return {str(record_id) for record_id in await tombstones.values_list("id", flat=True)}


async def compare_sides(
    comparison: Comparison,
    sides: tuple[Side, Side],
    names: Names,
    to_at: datetime | None,
    progress: Progress,
) -> list[ObjectDiff]:
    """Every object type either side holds, in name order."""
    before, after = sides
    return [
        await TypeComparer(
            comparison,
            object_type,
            (before.get(object_type, _EMPTY), after.get(object_type, _EMPTY)),
            names,
            to_at,
        ).run(progress)
        for object_type in sorted(before.keys() | after.keys())
    ]


def _as_parsed(row: Row) -> Row:
    return row


def _unparsed_files(before: TypeSide, after: TypeSide) -> tuple[UnparsedFile, UnparsedFile] | None:
    """Both sides' files, where both sides are backups holding the same properties in the same
    order: their rows' bytes are then comparable."""
    if before.file is None or after.file is None:
        return None
    if list(before.properties) != list(after.properties):
        return None
    return before.file, after.file
