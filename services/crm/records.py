"""CRM records: batched writes validated against property definitions, the recycle bin, purge."""

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import RawSQL, Subquery
from tortoise.queryset import QuerySet

from models.accounts import Role
from models.crm import Association, ObjectType, PurgedRecord, Record
from services import activity
from services.core import database
from services.core.clock import now
from services.core.errors import NotFound, ValidationFailed
from services.core.ids import parse_id
from services.core.pagination import Page, paginate_fetched, paginate_rows
from services.core.text import check_text, column_length
from services.core.viewer import Viewer
from services.crm import outbox, record_pages, values
from services.crm.changes import ChangeSource, RecordChange
from services.crm.object_types import (
    NAME_PATTERN,
    check_name,
    get_object_type,
    id_having,
    properties_by_name,
    unknown_object_type,
)
from services.crm.record_pages import ROW_FIELDS, RecordRow

MAX_BATCH = 1_000
PURGERS = (Role.SUPER_ADMIN, Role.ADMIN)
ASSOCIATION_LABEL_LENGTH = column_length(Association, "label")

# Property name -> new value; None or "" clears the value.
Changes = dict[str, str | None]


@dataclass(frozen=True)
class RecordFilter:
    property_equals: dict[str, str] = field(default_factory=dict)
    updated_since: datetime | None = None
    ids: list[UUID] | None = None


@dataclass(frozen=True)
class Problem:
    """Why one item of a batch was refused."""

    index: int
    message: str
    property: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "property": self.property, "message": self.message}


def _live(account_id: UUID) -> QuerySet[Record]:
    return Record.filter(account_id=account_id, deleted_at__isnull=True)


def _check_batch(items: Sequence[object], what: str) -> None:
    if not 0 < len(items) <= MAX_BATCH:
        raise ValidationFailed(f"Send between 1 and {MAX_BATCH} {what} at a time.")


def _sqlite_json_text(name: str) -> RawSQL:
    """SQL for the text of one property; `name` is a checked identifier, so it is safe inline."""
    check_name(name, "propertyEquals")
    return RawSQL(f"json_extract(properties, '$.\"{name}\"')")


def _property_equals(queryset: QuerySet[Record], equals: dict[str, str]) -> QuerySet[Record]:
    if not equals:
        return queryset
    if database.on_postgres():
        # Containment (`@>`) of all the values at once: the index of live records' properties
        # (migration 0012) answers it, where a test of each value would read the whole type.
        return queryset.filter(properties__contains=equals)
    for position, (name, value) in enumerate(sorted(equals.items())):
        alias = f"property_{position}"
        queryset = queryset.annotate(**{alias: _sqlite_json_text(name)}).filter(**{alias: value})
    return queryset


def filtered(queryset: QuerySet[Record], record_filter: RecordFilter) -> QuerySet[Record]:
    """The records of `queryset` that pass the filter (its values already checked): ids through
    the primary key, the time through the index of updated_at, values through the index of
    live records' properties on PostgreSQL."""
    if record_filter.ids is not None:
        queryset = queryset.filter(id__in=record_filter.ids)
    if record_filter.updated_since is not None:
        queryset = queryset.filter(updated_at__gte=record_filter.updated_since)
    return _property_equals(queryset, record_filter.property_equals)


async def list_records(
    viewer: Viewer,
    object_type_name: str,
    first: int,
    after: str | None,
    record_filter: RecordFilter | None = None,
) -> Page[RecordRow]:
    record_filter = record_filter or RecordFilter()
    if not record_filter.property_equals:
        return await _unchecked_type_page(viewer, object_type_name, first, after, record_filter)
    equals = record_filter.property_equals
    object_type_id = await _type_having(viewer.account_id, object_type_name, equals)
    matching = functools.partial(_of_type, viewer.account_id, object_type_id, record_filter)
    if database.on_postgres():
        fetch = functools.partial(
            record_pages.page_rows,
            viewer.account_id,
            object_type_id,
            equals,
            ids=record_filter.ids,
            updated_since=record_filter.updated_since,
        )
        return await paginate_fetched(matching, first, after, fetch)
    return await paginate_rows(matching(), first, after, RecordRow, ROW_FIELDS)


def _of_type(
    account_id: UUID, object_type_id: UUID | Subquery, record_filter: RecordFilter
) -> QuerySet[Record]:
    """The account's live records of the type that pass the filter."""
    return filtered(_live(account_id).filter(object_type_id=object_type_id), record_filter)


async def _unchecked_type_page(
    viewer: Viewer,
    object_type_name: str,
    first: int,
    after: str | None,
    record_filter: RecordFilter,
) -> Page[RecordRow]:
    """A page without property values to check: the object type is found by the page's own
    query (one round trip, not two), and looked up alone only when the page is empty, to tell
    an unknown type from an empty one."""
    # A name that no object type can have is not looked up: the database may refuse it.
    if not NAME_PATTERN.fullmatch(object_type_name):
        raise unknown_object_type(object_type_name)

    def matching() -> QuerySet[Record]:
        named = ObjectType.filter(account_id=viewer.account_id, name=object_type_name)
        return _of_type(viewer.account_id, Subquery(named.values("id")), record_filter)

    if database.on_postgres():
        fetch = functools.partial(
            record_pages.type_page_rows,
            viewer.account_id,
            object_type_name,
            ids=record_filter.ids,
            updated_since=record_filter.updated_since,
        )
        page = await paginate_fetched(matching, first, after, fetch)
    else:
        page = await paginate_rows(matching(), first, after, RecordRow, ROW_FIELDS)
    if not page.items:
        await get_object_type(viewer.account_id, object_type_name, with_properties=False)
    return page


async def _type_having(account_id: UUID, object_type_name: str, equals: dict[str, str]) -> UUID:
    """The id of the account's type named, its properties and values checked against `equals`:
    NOT_FOUND for an unknown type, then VALIDATION_FAILED for an unknown property or a value
    no property can hold."""
    object_type_id = await id_having(account_id, object_type_name, equals)
    if object_type_id is None:
        object_type = await get_object_type(account_id, object_type_name)
        unknown = set(equals) - set(properties_by_name(object_type))
        if unknown:
            raise ValidationFailed(
                f"{object_type.name} has no properties called {', '.join(sorted(unknown))}.",
                field="propertyEquals",
            )
        object_type_id = object_type.id
    for value in equals.values():
        check_text(value, "propertyEquals", values.MAX_VALUE_LENGTH)
    return object_type_id


async def recycle_bin(
    viewer: Viewer, first: int, after: str | None, object_type_name: str | None = None
) -> Page[RecordRow]:
    queryset = Record.filter(account_id=viewer.account_id, deleted_at__isnull=False)
    if object_type_name is not None:
        object_type = await get_object_type(
            viewer.account_id, object_type_name, with_properties=False
        )
        queryset = queryset.filter(object_type_id=object_type.id)
    return await paginate_rows(queryset, first, after, RecordRow, ROW_FIELDS, newest_first=True)


async def holds_records(account_id: UUID) -> bool:
    """Whether the account has a live record: a backup of it would hold none otherwise."""
    return await Record.filter(account_id=account_id, deleted_at__isnull=True).exists()


async def get_record(viewer: Viewer, record_id: str | UUID) -> Record:
    """A live or recycled record of the viewer's account; anything else is NOT_FOUND."""
    record = await Record.get_or_none(id=parse_id(record_id), account_id=viewer.account_id)
    if record is None:
        raise NotFound(f"No record with the id {record_id}.")
    return record


def _merged(
    object_type: ObjectType,
    current: dict[str, str],
    changes: Changes,
    index: int,
    problems: list[Problem],
) -> dict[str, str]:
    definitions = properties_by_name(object_type)
    merged = dict(current)
    for name, value in changes.items():
        prop = definitions.get(name)
        if prop is None:
            problems.append(Problem(index, f"{object_type.name} has no such property", name))
        elif value is None or value == "":
            merged.pop(name, None)
        else:
            try:
                values.check(prop, value)
            except values.InvalidValue as error:
                problems.append(Problem(index, str(error), name))
            merged[name] = value
    return merged


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(
            f"{len(problems)} value(s) are invalid; nothing was written.",
            problems=[problem.as_dict() for problem in problems],
        )


async def create_records(
    viewer: Viewer, object_type_name: str, items: Sequence[Changes]
) -> list[Record]:
    _check_batch(items, "records")
    object_type = await get_object_type(viewer.account_id, object_type_name)
    problems: list[Problem] = []
    records = [
        Record(
            account_id=viewer.account_id,
            object_type_id=object_type.id,
            properties=_merged(object_type, {}, changes, index, problems),
        )
        for index, changes in enumerate(items)
    ]
    _refuse(problems)
    async with database.transaction() as connection:
        await Record.bulk_create(records, using_db=connection)
        await _record_changes(
            connection,
            viewer.account_id,
            ((record.id, object_type.name, set(record.properties)) for record in records),
        )
    return await Record.filter(id__in=[record.id for record in records]).order_by("id")


async def _fetch_all(queryset: QuerySet[Record], ids: Sequence[UUID]) -> dict[UUID, Record]:
    """The records with these ids, or NOT_FOUND naming the ids that are not there."""
    found = {record.id: record for record in await queryset.filter(id__in=ids)}
    missing = [str(record_id) for record_id in ids if record_id not in found]
    if missing:
        raise NotFound(f"No such record(s): {', '.join(missing)}.", ids=missing)
    return found


def _parse_ids(ids: Sequence[str | UUID], what: str) -> list[UUID]:
    _check_batch(ids, what)
    return list(dict.fromkeys(parse_id(record_id) for record_id in ids))


async def update_records(
    viewer: Viewer, updates: Sequence[tuple[str | UUID, Changes]]
) -> list[Record]:
    ids = _parse_ids([record_id for record_id, _ in updates], "updates")
    if len(ids) != len(updates):
        raise ValidationFailed("Each record may appear once per update.", field="id")
    async with database.transaction() as connection:
        found = await _fetch_all(_live(viewer.account_id).select_for_update(), ids)
        types = {
            object_type.id: object_type
            for object_type in await ObjectType.filter(
                id__in={record.object_type_id for record in found.values()}
            ).prefetch_related("properties")
        }
        problems: list[Problem] = []
        changed = []
        events = []
        for index, (record_id, (_, changes)) in enumerate(zip(ids, updates, strict=True)):
            record = found[record_id]
            object_type = types[record.object_type_id]
            merged = _merged(object_type, record.properties, changes, index, problems)
            if merged != record.properties:
                events.append((record.id, object_type.name, _differing(record.properties, merged)))
                record.properties = merged
                record.updated_at = now()
                changed.append(record)
        _refuse(problems)
        if changed:
            await Record.bulk_update(changed, fields=["properties", "updated_at"])
            await _record_changes(connection, viewer.account_id, events)
    return [found[record_id] for record_id in ids]


def _differing(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


async def _record_changes(
    connection: BaseDBAsyncClient,
    account_id: UUID,
    changed: Iterable[tuple[UUID, str, set[str]]],
) -> None:
    """A change event per record whose values an API call set, changed or cleared, committed
    with the change: workflows hear an edit by hand as they hear a restore's."""
    await outbox.record_changes(
        connection,
        account_id,
        (
            RecordChange(str(record_id), type_name, ChangeSource.API.value, sorted(names))
            for record_id, type_name, names in changed
        ),
    )


async def delete_records(viewer: Viewer, ids: Sequence[str | UUID]) -> int:
    """Move live records to the recycle bin."""
    parsed = _parse_ids(ids, "ids")
    async with database.transaction():
        await _fetch_all(_live(viewer.account_id), parsed)
        moved = await Record.filter(id__in=parsed).update(deleted_at=now(), updated_at=now())
        await _audit(viewer, "RECORDS_DELETED", parsed)
    return moved


async def restore_deleted_records(viewer: Viewer, ids: Sequence[str | UUID]) -> list[Record]:
    """Bring records back from the recycle bin, values as they were."""
    parsed = _parse_ids(ids, "ids")
    in_bin = Record.filter(account_id=viewer.account_id, deleted_at__isnull=False)
    async with database.transaction():
        await _fetch_all(in_bin, parsed)
        await Record.filter(id__in=parsed).update(deleted_at=None, updated_at=now())
        await _audit(viewer, "RECORDS_RESTORED", parsed)
    return await Record.filter(id__in=parsed).order_by("id")


async def purge_records(viewer: Viewer, ids: Sequence[str | UUID]) -> int:
    """Delete records for good, leaving tombstones so an import can recognise them."""
    viewer.require_role(*PURGERS)
    parsed = _parse_ids(ids, "ids")
    async with database.transaction():
        found = await _fetch_all(Record.filter(account_id=viewer.account_id), parsed)
        await PurgedRecord.bulk_create(
            PurgedRecord(
                id=record.id, account_id=record.account_id, object_type_id=record.object_type_id
            )
            for record in found.values()
        )
        purged = await Record.filter(id__in=parsed).delete()
        await _audit(viewer, "RECORDS_PURGED", parsed)
    return purged


async def associate_records(
    viewer: Viewer, from_id: str | UUID, to_id: str | UUID, label: str = ""
) -> Association:
    check_text(label, "label", ASSOCIATION_LABEL_LENGTH)
    parsed = [parse_id(from_id), parse_id(to_id)]
    if parsed[0] == parsed[1]:
        raise ValidationFailed("A record cannot be associated with itself.", field="toId")
    await _fetch_all(_live(viewer.account_id), parsed)
    association, _ = await Association.get_or_create(
        account_id=viewer.account_id,
        from_record_id=parsed[0],
        to_record_id=parsed[1],
        label=label.strip(),
    )
    return association


async def associations_of(viewer: Viewer, record: Record) -> list[Association]:
    return await Association.filter(
        account_id=viewer.account_id, from_record_id=record.id
    ).order_by("id")


async def _audit(viewer: Viewer, action: str, ids: list[UUID]) -> None:
    await activity.record_event(
        viewer.account_id,
        viewer.user.id,
        action,
        target_type="records",
        record_ids=[str(record_id) for record_id in ids],
        count=len(ids),
    )
