"""The CRM's root fields: object types and properties, records and their live changes."""

from collections.abc import AsyncGenerator
from contextlib import aclosing

import strawberry

import resolvers.crm
from resolvers.context import Info
from schema.crm.inputs import (
    CreateObjectTypeInput,
    CreatePropertyInput,
    NewRecordInput,
    RecordFilterInput,
    RecordUpdateInput,
)
from schema.crm.types import Association, ObjectType, Property, Record, RecordChange
from schema.pagination import Connection


@strawberry.type
class CrmQueries:
    @strawberry.field
    async def object_types(self, info: Info) -> list[ObjectType]:
        object_types = await resolvers.crm.list_object_types(info.context)
        return [ObjectType.from_model(object_type) for object_type in object_types]

    @strawberry.field(description="Live records of one type, oldest first.")
    async def records(
        self,
        info: Info,
        object_type: str,
        first: int = 50,
        after: str | None = None,
        filter: RecordFilterInput | None = None,
    ) -> Connection[Record]:
        criteria = filter or RecordFilterInput()
        page = await resolvers.crm.list_records(
            info.context,
            object_type,
            first,
            after,
            property_equals=criteria.equalities(),
            updated_since=criteria.updated_since,
            ids=criteria.ids,
        )
        return Connection.from_page(page, Record.from_model)

    @strawberry.field(description="A live or recycled record.")
    async def record(self, info: Info, id: strawberry.ID) -> Record:
        return Record.from_model(await resolvers.crm.get_record(info.context, id))

    @strawberry.field
    async def record_associations(self, info: Info, id: strawberry.ID) -> list[Association]:
        associations = await resolvers.crm.record_associations(info.context, id)
        return [Association.from_model(association) for association in associations]

    @strawberry.field(description="Deleted records, most recent first.")
    async def recycle_bin(
        self, info: Info, first: int = 50, after: str | None = None, object_type: str | None = None
    ) -> Connection[Record]:
        page = await resolvers.crm.recycle_bin(info.context, first, after, object_type)
        return Connection.from_page(page, Record.from_model)


@strawberry.type
class CrmMutations:
    @strawberry.mutation(description="Up to 1,000 records; all or nothing.")
    async def create_records(
        self, info: Info, object_type: str, records: list[NewRecordInput]
    ) -> list[Record]:
        changes = [record.changes() for record in records]
        created = await resolvers.crm.create_records(info.context, object_type, changes)
        return [Record.from_model(record) for record in created]

    @strawberry.mutation(description="Up to 1,000 records; all or nothing.")
    async def update_records(self, info: Info, records: list[RecordUpdateInput]) -> list[Record]:
        changes = [(record.id, record.changes()) for record in records]
        updated = await resolvers.crm.update_records(info.context, changes)
        return [Record.from_model(record) for record in updated]

    @strawberry.mutation(description="Moves records to the recycle bin.")
    async def delete_records(self, info: Info, ids: list[strawberry.ID]) -> int:
        return await resolvers.crm.delete_records(info.context, ids)

    @strawberry.mutation
    async def restore_deleted_records(self, info: Info, ids: list[strawberry.ID]) -> list[Record]:
        restored = await resolvers.crm.restore_deleted_records(info.context, ids)
        return [Record.from_model(record) for record in restored]

    @strawberry.mutation(
        description="Deletes records for good (ADMIN, SUPER_ADMIN); leaves tombstones."
    )
    async def purge_records(self, info: Info, ids: list[strawberry.ID]) -> int:
        return await resolvers.crm.purge_records(info.context, ids)

    @strawberry.mutation
    async def associate_records(
        self, info: Info, from_id: strawberry.ID, to_id: strawberry.ID, label: str = ""
    ) -> Association:
        association = await resolvers.crm.associate_records(info.context, from_id, to_id, label)
        return Association.from_model(association)

    @strawberry.mutation(description="ADMIN, SUPER_ADMIN.")
    async def create_property(self, info: Info, input: CreatePropertyInput) -> Property:
        created = await resolvers.crm.create_property(
            info.context,
            input.object_type,
            input.name,
            input.label,
            input.type,
            options=input.options,
            sensitive=input.sensitive,
        )
        return Property.from_model(created)

    @strawberry.mutation(description="ADMIN, SUPER_ADMIN.")
    async def create_custom_object_type(
        self, info: Info, input: CreateObjectTypeInput
    ) -> ObjectType:
        created = await resolvers.crm.create_custom_object_type(
            info.context, input.name, input.singular_label, input.plural_label
        )
        return ObjectType.from_model(created)


@strawberry.type
class CrmSubscriptions:
    @strawberry.subscription(
        description="Records of one type as restores and imports change them. With `after` (the "
        "id of the last change seen), first the changes since then that are still kept (a day)."
    )
    async def record_changes(
        self, info: Info, object_type: str, after: strawberry.ID | None = None
    ) -> AsyncGenerator[RecordChange, None]:
        live = await resolvers.crm.record_changes(info.context, object_type, after)
        async with aclosing(live) as changes:
            async for change in changes:
                yield RecordChange.from_event(change)
