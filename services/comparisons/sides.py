"""The two sides of a comparison, each as object types whose records come in batches sorted by
record id: a backup's files (the export writes them in id order), or the live records now. A
record comes as a list of text, its id then its values in the columns the comparer asks for
("" where blank), so that both sides' rows of one type line up and an unchanged record is one
list equal to another. Lists on both sides, always: a list never equals a tuple.

A backup's file can also give its rows unparsed, as (id, bytes as written): two files of the
same properties then compare their rows' bytes, and only the rows that differ are parsed.

Ids compare as their text: lowercase UUIDs sort as text the way both databases sort them."""

import functools
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from uuid import UUID

from tortoise.queryset import QuerySet

from models.crm import ObjectType, Record
from services.backups import BackupReader, FileEntry, UnparsedRow

BATCH_SIZE = 1_000

# A record's id as text, then its values in the columns asked for.
Row = list[str]


@dataclass(frozen=True)
class Definition:
    label: str
    sensitive: bool


@dataclass(frozen=True)
class UnparsedFile:
    """A backup's file of one object type, its rows unparsed: in `properties`' order."""

    batches: Callable[[], AsyncIterator[list[UnparsedRow]]]
    parse: Callable[[UnparsedRow], Row]


@dataclass(frozen=True)
class TypeSide:
    """One side's records of one object type."""

    properties: dict[str, Definition]
    rows: int
    # The records, with their values in the given columns (properties of either side). The
    # cheapest order to ask for is `properties`' own: a file's rows then come as parsed.
    batches: Callable[[Sequence[str]], AsyncIterator[list[Row]]]
    # A backup's side only.
    file: UnparsedFile | None = None


Side = dict[str, TypeSide]


def backup_side(reader: BackupReader) -> Side:
    """The object types a backup holds, by name."""
    return {entry.object_type: _backup_type(reader, entry) for entry in reader.manifest.files}


def _backup_type(reader: BackupReader, entry: FileEntry) -> TypeSide:
    properties = {prop.name: Definition(prop.label, prop.sensitive) for prop in entry.properties}

    async def batches(columns: Sequence[str]) -> AsyncIterator[list[Row]]:
        rows = _in_columns(reader, entry, columns)
        # Read on the event loop: a batch takes milliseconds, and handing each to a thread and
        # back cost more than the reading on a busy machine, and memory in the thread's arena.
        while batch := _take(rows):
            yield batch

    async def unparsed() -> AsyncIterator[list[UnparsedRow]]:
        for batch in reader.unparsed_rows(entry):
            yield batch

    file = UnparsedFile(unparsed, functools.partial(reader.parse_row, entry))
    return TypeSide(properties, entry.rows, batches, file)


def _take(rows: Iterator[Row]) -> list[Row]:
    return list(islice(rows, BATCH_SIZE))


def _in_columns(reader: BackupReader, entry: FileEntry, columns: Sequence[str]) -> Iterator[Row]:
    """A file's rows in `columns`: as parsed when these are the file's own columns in its order
    (the common case: no property added or removed between the two backups), with no step per
    row; else each row built, with a blank for each column the file does not have."""
    own = [prop.name for prop in entry.properties]
    if list(columns) == own:
        return reader.every_column(entry)
    held = [name for name in columns if name in own]
    rows = reader.columns(entry, held)
    if not held:
        # `columns` of no property gives each id alone, not in a tuple.
        blanks = [""] * len(columns)
        return ([str(record_id), *blanks] for record_id in rows)
    at = {name: n for n, name in enumerate(held, start=1)}
    picks = [at.get(name) for name in columns]
    return ([row[0], *("" if n is None else row[n] for n in picks)] for row in rows)


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


async def _live_batches(object_type_id: UUID, columns: Sequence[str]) -> AsyncIterator[list[Row]]:
    after: UUID | None = None
    while True:
        page = _live(object_type_id)
        if after is not None:
            page = page.filter(id__gt=after)
        rows = await page.order_by("id").limit(BATCH_SIZE).values_list("id", "properties")
        if not rows:
            return
        yield [
            [str(record_id), *((values.get(name) or "") for name in columns)]
            for record_id, values in rows
        ]
        after = rows[-1][0]
