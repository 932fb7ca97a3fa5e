"""Comparing two sides, object type by object type: both sides' records come sorted by id, so
one pass over each, a batch at a time, finds the added, removed and changed records, and memory
stays flat however many records the sides hold. The differing records are stored a batch at a
time for the CSV download."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from uuid import UUID

from models.comparisons import ComparedRecord, Comparison, RecordChange
from models.crm import PurgedRecord
from services.comparisons.sides import BATCH_SIZE, Row, Side, TypeSide, Values
from services.comparisons.summary import ObjectDiff, PropertyDiff, SampleChange
from services.crm import Names

# What the job reports as it goes: object type, records read, records on both sides.
Progress = Callable[[str, int, int], Awaitable[None]]

_EMPTY = TypeSide({}, 0, lambda: _nothing())


async def _nothing() -> AsyncIterator[list[Row]]:
    return
    yield


class _Cursor:
    """A side's records one at a time, read a batch ahead."""

    def __init__(self, batches: AsyncIterator[list[Row]]) -> None:
        self._batches = batches
        self._batch: list[Row] = []
        self._at = 0
        self.read = 0

    async def current(self) -> Row | None:
        while self._at >= len(self._batch):
            batch = await anext(self._batches, None)
            if batch is None:
                return None
            self._batch, self._at = batch, 0
        return self._batch[self._at]

    def advance(self) -> None:
        self._at += 1
        self.read += 1


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
        self._pending: list[ComparedRecord] = []
        self._removed: list[str] = []

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
        before, after = _Cursor(self.before.batches()), _Cursor(self.after.batches())
        total = self.before.rows + self.after.rows
        while True:
            old, new = await before.current(), await after.current()
            if old is None and new is None:
                break
            if old is not None and (new is None or old[0] < new[0]):
                self._removed.append(old[0])
                before.advance()
            elif new is not None and (old is None or new[0] < old[0]):
                self._record(new[0], RecordChange.ADDED)
                after.advance()
            elif old is not None and new is not None:
                self._compare(old[0], old[1], new[1])
                before.advance()
                after.advance()
            if len(self._pending) + len(self._removed) >= BATCH_SIZE:
                await self._flush()
                await progress(self.object_type, before.read + after.read, total)
        await self._flush()
        await progress(self.object_type, before.read + after.read, total)
        return self.diff

    def _compare(self, record_id: str, old: Values, new: Values) -> None:
        differing = [prop.name for prop in self.diff.properties if self._counted(prop, old, new)]
        if not differing:
            self.diff.unchanged += 1
            return
        self._record(record_id, RecordChange.CHANGED, differing)
        name = self.names.of_values(self.object_type, new) or self.names.of_values(
            self.object_type, old
        )
        for prop in self.diff.properties:
            if prop.name in differing:
                prop.sample(
                    SampleChange(
                        record_id=UUID(record_id),
                        record_name=name,
                        before=old.get(prop.name),
                        after=new.get(prop.name),
                    )
                )

    @staticmethod
    def _counted(prop: PropertyDiff, old: Values, new: Values) -> bool:
        """Counts the property's change on the record; False when it did not change."""
        was, now = old.get(prop.name), new.get(prop.name)
        if was == now:
            return False
        if was is None:
            prop.set += 1
        elif now is None:
            prop.cleared += 1
        else:
            prop.changed += 1
        return True

    def _record(
        self, record_id: str, change: RecordChange, properties: list[str] | None = None
    ) -> None:
        if change == RecordChange.ADDED:
            self.diff.added += 1
        elif change == RecordChange.CHANGED:
            self.diff.changed += 1
        self._pending.append(
            ComparedRecord(
                comparison_id=self.comparison.id,
                object_type=self.object_type,
                record_id=UUID(record_id),
                change=change,
                properties=properties or [],
            )
        )

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
                self._pending.append(
                    ComparedRecord(
                        comparison_id=self.comparison.id,
                        object_type=self.object_type,
                        record_id=UUID(record_id),
                        change=gone,
                    )
                )
            self._removed = []
        if self._pending:
            await ComparedRecord.bulk_create(self._pending)
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
