import strawberry

from schema.context import Info
from schema.crm import (
    Association,
    NewRecordInput,
    PropertyValueInput,
    Record,
    RecordFilterInput,
    RecordUpdateInput,
)
from schema.pagination import Connection
from services import crm
from services.core.ids import parse_id
from services.crm import Changes, RecordFilter


def _changes(values: list[PropertyValueInput]) -> Changes:
    return {value.name: value.value for value in values}


def _record_filter(filter: RecordFilterInput | None) -> RecordFilter | None:
    if filter is None:
        return None
    return RecordFilter(
        property_equals={item.name: item.value for item in filter.property_equals or []},
        updated_since=filter.updated_since,
        ids=None if filter.ids is None else [parse_id(str(record_id)) for record_id in filter.ids],
    )


async def list_records(
    info: Info,
    object_type: str,
    first: int = 50,
    after: str | None = None,
    filter: RecordFilterInput | None = None,
) -> Connection[Record]:
    viewer = info.context.require_viewer()
    page = await crm.list_records(viewer, object_type, first, after, _record_filter(filter))
    return Connection.from_page(page, Record.from_model)


async def recycle_bin(
    info: Info, first: int = 50, after: str | None = None, object_type: str | None = None
) -> Connection[Record]:
    viewer = info.context.require_viewer()
    page = await crm.recycle_bin(viewer, first, after, object_type)
    return Connection.from_page(page, Record.from_model)


async def get_record(info: Info, id: strawberry.ID) -> Record:
    viewer = info.context.require_viewer()
    return Record.from_model(await crm.get_record(viewer, str(id)))


async def create_records(
    info: Info, object_type: str, records: list[NewRecordInput]
) -> list[Record]:
    viewer = info.context.require_viewer()
    created = await crm.create_records(
        viewer, object_type, [_changes(item.properties) for item in records]
    )
    return [Record.from_model(record) for record in created]


async def update_records(info: Info, records: list[RecordUpdateInput]) -> list[Record]:
    viewer = info.context.require_viewer()
    updated = await crm.update_records(
        viewer, [(str(item.id), _changes(item.properties)) for item in records]
    )
    return [Record.from_model(record) for record in updated]


async def delete_records(info: Info, ids: list[strawberry.ID]) -> int:
    return await crm.delete_records(info.context.require_viewer(), [str(i) for i in ids])


async def restore_deleted_records(info: Info, ids: list[strawberry.ID]) -> list[Record]:
    viewer = info.context.require_viewer()
    restored = await crm.restore_deleted_records(viewer, [str(i) for i in ids])
    return [Record.from_model(record) for record in restored]


async def purge_records(info: Info, ids: list[strawberry.ID]) -> int:
    return await crm.purge_records(info.context.require_viewer(), [str(i) for i in ids])


async def associate_records(
    info: Info, from_id: strawberry.ID, to_id: strawberry.ID, label: str = ""
) -> Association:
    viewer = info.context.require_viewer()
    association = await crm.associate_records(viewer, str(from_id), str(to_id), label)
    return Association.from_model(association)


async def record_associations(info: Info, id: strawberry.ID) -> list[Association]:
    viewer = info.context.require_viewer()
    record = await crm.get_record(viewer, str(id))
    return [Association.from_model(item) for item in await crm.associations_of(viewer, record)]
