"""The two sides of a comparison, each as object types whose records come in batches sorted by
record id: a backup's files (the export writes them in id order), or the live records now.

Ids compare as their text: lowercase UUIDs sort as text the way both databases sort them."""

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from itertools import islice
from uuid import UUID

from tortoise.queryset import QuerySet

from models.crm import ObjectType, Record
from services.backups import BackupReader, FileEntry

BATCH_SIZE = 1_000

Values = dict[str, str]
# A record's id as text, and its set values.
Row = tuple[str, Values]


@dataclass(frozen=True)
class Definition:
    label: str
    sensitive: bool


@dataclass(frozen=True)
class TypeSide:
    """One side's records of one object type."""

    properties: dict[str, Definition]
    rows: int
    batches: Callable[[], AsyncIterator[list[Row]]]


Side = dict[str, TypeSide]


def backup_side(reader: BackupReader) -> Side:
    """The object types a backup holds, by name."""
    return {entry.object_type: _backup_type(reader, entry) for entry in reader.manifest.files}


def _backup_type(reader: BackupReader, entry: FileEntry) -> TypeSide:
    names = [prop.name for prop in entry.properties]
    properties = {prop.name: Definition(prop.label, prop.sensitive) for prop in entry.properties}

    async def batches() -> AsyncIterator[list[Row]]:
        rows = reader.columns(entry, names)

        def take() -> list[Row]:
            picked = list(islice(rows, BATCH_SIZE))
            if not names:
                # A type without properties: `columns` gives each id alone, not in a tuple.
                return [(str(record_id), {}) for record_id in picked]
            return [
                (row[0], {name: value for name, value in zip(names, row[1:], strict=True) if value})
                for row in picked
            ]

        while batch := await asyncio.to_thread(take):
            yield batch

    return TypeSide(properties, entry.rows, batches)


async def live_side(account_id: UUID) -> Side:
    """The account's object types with their live records (not in the recycle bin)."""
    types = await ObjectType.filter(account_id=account_id).prefetch_related("properties")
    return {
        object_type.name: TypeSide(
            {prop.name: Definition(prop.label, prop.sensitive) for prop in object_type.properties},
            await _live(object_type.id).count(),
            functools.partial(_live_batches, object_type.id),
        )
        for object_type in types
    }


def _live(object_type_id: UUID) -> QuerySet[Record]:
    return Record.filter(object_type_id=object_type_id, deleted_at__isnull=True)


async def _live_batches(object_type_id: UUID) -> AsyncIterator[list[Row]]:
    after: UUID | None = None
    while True:
        page = _live(object_type_id)
        if after is not None:
            page = page.filter(id__gt=after)
        rows = await page.order_by("id").limit(BATCH_SIZE).values_list("id", "properties")
        if not rows:
            return
        yield [
            (str(record_id), {k: v for k, v in values.items() if v}) for record_id, values in rows
        ]
        after = rows[-1][0]
