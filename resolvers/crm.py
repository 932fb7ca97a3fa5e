"""Object types and their properties; records, the recycle bin, associations and the live
changes of records."""

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime

from resolvers.context import Context
from services import crm
from services.accounts import Scope
from services.core.ids import parse_id
from services.core.pagination import Page


async def list_object_types(context: Context) -> list[crm.ObjectType]:
    return await crm.list_object_types(context.require_viewer(Scope.READ))


async def create_custom_object_type(
    context: Context, name: str, singular_label: str, plural_label: str
) -> crm.ObjectType:
    return await crm.create_custom_object_type(
        context.require_viewer(), name, singular_label, plural_label
    )


async def create_property(
    context: Context,
    object_type: str,
    name: str,
    label: str,
    type: crm.PropertyType,
    *,
    options: list[str] | None,
    sensitive: bool,
) -> crm.Property:
    return await crm.create_property(
        context.require_viewer(),
        object_type,
        name,
        label,
        type,
        options=options,
        sensitive=sensitive,
    )


async def list_records(
    context: Context,
    object_type: str,
    first: int,
    after: str | None,
    *,
    property_equals: dict[str, str],
    updated_since: datetime | None,
    ids: Sequence[str] | None,
) -> Page[crm.RecordRow]:
    viewer = context.require_viewer(Scope.READ)
    record_filter = crm.RecordFilter(
        property_equals=property_equals,
        updated_since=updated_since,
        ids=None if ids is None else [parse_id(record_id) for record_id in ids],
    )
    return await crm.list_records(viewer, object_type, first, after, record_filter)


async def recycle_bin(
    context: Context, first: int, after: str | None, object_type: str | None
) -> Page[crm.RecordRow]:
    return await crm.recycle_bin(context.require_viewer(Scope.READ), first, after, object_type)


async def get_record(context: Context, record_id: str) -> crm.Record:
    return await crm.get_record(context.require_viewer(Scope.READ), record_id)


async def create_records(
    context: Context, object_type: str, records: Sequence[crm.Changes]
) -> list[crm.Record]:
    return await crm.create_records(context.require_viewer(), object_type, records)


async def update_records(
    context: Context, records: Sequence[tuple[str, crm.Changes]]
) -> list[crm.Record]:
    return await crm.update_records(context.require_viewer(), records)


async def delete_records(context: Context, ids: Sequence[str]) -> int:
    return await crm.delete_records(context.require_viewer(), ids)


async def restore_deleted_records(context: Context, ids: Sequence[str]) -> list[crm.Record]:
    return await crm.restore_deleted_records(context.require_viewer(), ids)


async def purge_records(context: Context, ids: Sequence[str]) -> int:
    return await crm.purge_records(context.require_viewer(), ids)


async def associate_records(
    context: Context, from_id: str, to_id: str, label: str
) -> crm.Association:
    return await crm.associate_records(context.require_viewer(), from_id, to_id, label)


async def record_associations(context: Context, record_id: str) -> list[crm.Association]:
    viewer = context.require_viewer(Scope.READ)
    record = await crm.get_record(viewer, record_id)
    return await crm.associations_of(viewer, record)


async def record_changes(
    context: Context, object_type: str, after: str | None = None
) -> AsyncGenerator[crm.ChangeEvent, None]:
    viewer = context.require_viewer(Scope.READ)
    # NOT_FOUND for a type the account does not have; the channel is the account's own.
    await crm.get_object_type(viewer.account_id, object_type)
    return crm.live_record_changes(viewer.account_id, object_type, after)
