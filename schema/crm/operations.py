"""The CRM's root fields: object types and properties, records and their live changes."""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated

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
from schema.pagination import AFTER, FIRST, Connection
from services import crm

BATCH = f"1 to {crm.MAX_BATCH:,}"
OBJECT_TYPE = strawberry.argument(
    description="An object type's `name`, e.g. contacts (NOT_FOUND when there is none)."
)
RECORD_ID = strawberry.argument(
    description="A record's id, in the signed-in user's account (else NOT_FOUND)."
)
RECORD_IDS = strawberry.argument(
    description=f"{BATCH} record ids of the account; any unknown one is NOT_FOUND (and "
    "nothing is done)."
)


@strawberry.type
class CrmQueries:
    @strawberry.field(
        description="The account's object types with their properties, built-in ones first. "
        "Any signed-in user."
    )
    async def object_types(self, info: Info) -> list[ObjectType]:
        object_types = await resolvers.crm.list_object_types(info.context)
        return [ObjectType.from_model(object_type) for object_type in object_types]

    @strawberry.field(
        description="Live records of one type, oldest first. Any signed-in user. A filter on an "
        "unknown property is VALIDATION_FAILED."
    )
    async def records(
        self,
        info: Info,
        object_type: Annotated[str, OBJECT_TYPE],
        first: Annotated[int, FIRST] = 50,
        after: Annotated[str | None, AFTER] = None,
        filter: Annotated[
            RecordFilterInput | None,
            strawberry.argument(description="Only the records that match it; null: all."),
        ] = None,
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

    @strawberry.field(
        description="A live record or one in the recycle bin (NOT_FOUND once purged). Any "
        "signed-in user."
    )
    async def record(self, info: Info, id: Annotated[strawberry.ID, RECORD_ID]) -> Record:
        return Record.from_model(await resolvers.crm.get_record(info.context, id))

    @strawberry.field(
        description="The associations from and to a record, oldest first. Any signed-in user."
    )
    async def record_associations(
        self, info: Info, id: Annotated[strawberry.ID, RECORD_ID]
    ) -> list[Association]:
        associations = await resolvers.crm.record_associations(info.context, id)
        return [Association.from_model(association) for association in associations]

    @strawberry.field(
        description="Records in the recycle bin (deleted, not purged), most recently created "
        "first. Any signed-in user."
    )
    async def recycle_bin(
        self,
        info: Info,
        first: Annotated[int, FIRST] = 50,
        after: Annotated[str | None, AFTER] = None,
        object_type: Annotated[
            str | None,
            strawberry.argument(description="Only records of this object type; null: all."),
        ] = None,
    ) -> Connection[Record]:
        page = await resolvers.crm.recycle_bin(info.context, first, after, object_type)
        return Connection.from_page(page, Record.from_model)


@strawberry.type
class CrmMutations:
    @strawberry.mutation(
        description=f"Creates {BATCH} records of one type; all or nothing: any bad value "
        "refuses the batch (VALIDATION_FAILED, `problems` naming each). Any signed-in user."
    )
    async def create_records(
        self,
        info: Info,
        object_type: Annotated[str, OBJECT_TYPE],
        records: Annotated[
            list[NewRecordInput], strawberry.argument(description=f"{BATCH} records.")
        ],
    ) -> list[Record]:
        changes = [record.changes() for record in records]
        created = await resolvers.crm.create_records(info.context, object_type, changes)
        return [Record.from_model(record) for record in created]

    @strawberry.mutation(
        description=f"Sets or clears values of {BATCH} live records; all or nothing, like "
        "createRecords. Any signed-in user."
    )
    async def update_records(
        self,
        info: Info,
        records: Annotated[
            list[RecordUpdateInput], strawberry.argument(description=f"{BATCH} updates.")
        ],
    ) -> list[Record]:
        changes = [(record.id, record.changes()) for record in records]
        updated = await resolvers.crm.update_records(info.context, changes)
        return [Record.from_model(record) for record in updated]

    @strawberry.mutation(
        description="Moves live records to the recycle bin; returns how many moved. Any "
        "signed-in user."
    )
    async def delete_records(
        self, info: Info, ids: Annotated[list[strawberry.ID], RECORD_IDS]
    ) -> int:
        return await resolvers.crm.delete_records(info.context, ids)

    @strawberry.mutation(
        description="Takes records out of the recycle bin, live again with their values. Any "
        "signed-in user."
    )
    async def restore_deleted_records(
        self, info: Info, ids: Annotated[list[strawberry.ID], RECORD_IDS]
    ) -> list[Record]:
        restored = await resolvers.crm.restore_deleted_records(info.context, ids)
        return [Record.from_model(record) for record in restored]

    @strawberry.mutation(
        description="Deletes records for good, live or in the recycle bin, leaving tombstones "
        "(ids a restore from a file may recreate); returns how many. ADMIN or SUPER_ADMIN "
        "(else FORBIDDEN)."
    )
    async def purge_records(
        self, info: Info, ids: Annotated[list[strawberry.ID], RECORD_IDS]
    ) -> int:
        return await resolvers.crm.purge_records(info.context, ids)

    @strawberry.mutation(
        description="Links two records of the account (not a record to itself: "
        "VALIDATION_FAILED). Any signed-in user."
    )
    async def associate_records(
        self,
        info: Info,
        from_id: Annotated[strawberry.ID, RECORD_ID],
        to_id: Annotated[strawberry.ID, RECORD_ID],
        label: Annotated[
            str, strawberry.argument(description="What the link means; may be empty.")
        ] = "",
    ) -> Association:
        association = await resolvers.crm.associate_records(info.context, from_id, to_id, label)
        return Association.from_model(association)

    @strawberry.mutation(
        description="Adds a property to an object type. ADMIN or SUPER_ADMIN (else FORBIDDEN); "
        "a name in use or not allowed is VALIDATION_FAILED."
    )
    async def create_property(
        self,
        info: Info,
        input: Annotated[
            CreatePropertyInput, strawberry.argument(description="The property to add.")
        ],
    ) -> Property:
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

    @strawberry.mutation(
        description="Creates a custom object type, without properties. ADMIN or SUPER_ADMIN "
        "(else FORBIDDEN); a name in use or not allowed is VALIDATION_FAILED."
    )
    async def create_custom_object_type(
        self,
        info: Info,
        input: Annotated[
            CreateObjectTypeInput, strawberry.argument(description="The object type to create.")
        ],
    ) -> ObjectType:
        created = await resolvers.crm.create_custom_object_type(
            info.context, input.name, input.singular_label, input.plural_label
        )
        return ObjectType.from_model(created)


@strawberry.type
class CrmSubscriptions:
    @strawberry.subscription(
        description="Records of one type as restores and imports change them. With `after` (the "
        "id of the last change seen), first the changes since then that are still kept (a day). "
        "Any signed-in user."
    )
    async def record_changes(
        self,
        info: Info,
        object_type: Annotated[str, OBJECT_TYPE],
        after: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The `id` of the last change seen, to resume after it; null: only "
                "changes from now on."
            ),
        ] = None,
    ) -> AsyncGenerator[RecordChange, None]:
        live = await resolvers.crm.record_changes(info.context, object_type, after)
        async with aclosing(live) as changes:
            async for change in changes:
                yield RecordChange.from_event(change)
