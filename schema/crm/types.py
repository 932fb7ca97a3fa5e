from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Self

import strawberry

import resolvers.restores
from schema.enums import described_enum
from services import crm

# The models' enums are the GraphQL ones, marked in place.
described_enum(
    crm.PropertyType,
    "What a property's values may be. Every value is sent and stored as text in this format.",
    {
        crm.PropertyType.STRING: "Any text.",
        crm.PropertyType.NUMBER: "A finite decimal number, such as 1250 or 99.5.",
        crm.PropertyType.DATE: "A date as YYYY-MM-DD.",
        crm.PropertyType.DATETIME: "An ISO 8601 date-time with its time zone (Z or +01:00).",
        crm.PropertyType.BOOL: "true or false.",
        crm.PropertyType.ENUMERATION: "One of the property's `options`.",
    },
)
described_enum(
    crm.ChangeSource,
    "What changed a record.",
    {
        crm.ChangeSource.API: "A user, through the API.",
        crm.ChangeSource.RESTORE: "A restore from a backup, or its revert.",
        crm.ChangeSource.IMPORT: "A restore from an uploaded file, or its revert.",
    },
)


@strawberry.type(description="A field of an object type's records.")
class Property:
    id: strawberry.ID = strawberry.field(description="The property's id.")
    name: str = strawberry.field(
        description="Its name in the API and in backup files (lowercase, unique in the type)."
    )
    label: str = strawberry.field(description="The name people see.")
    type: crm.PropertyType = strawberry.field(description="What its values may be.")
    options: list[str] = strawberry.field(
        description="The allowed values of an ENUMERATION; empty for the other types."
    )
    sensitive: bool = strawberry.field(
        description="Personal data: its values are withheld from restore plans, samples and "
        "refused rows."
    )

    @classmethod
    def from_model(cls, prop: crm.Property) -> Self:
        return cls(
            id=strawberry.ID(str(prop.id)),
            name=prop.name,
            label=prop.label,
            type=prop.type,
            options=list(prop.options),
            sensitive=prop.sensitive,
        )


@strawberry.type(description="A kind of CRM record (contacts, companies, deals, or custom).")
class ObjectType:
    id: strawberry.ID = strawberry.field(description="The object type's id.")
    name: str = strawberry.field(
        description="Its name in the API (`objectType` arguments) and in backup files."
    )
    singular_label: str = strawberry.field(description="What people call one record.")
    plural_label: str = strawberry.field(description="What people call several.")
    is_custom: bool = strawberry.field(
        description="Created by the account (`createCustomObjectType`), not built in."
    )
    properties: list[Property] = strawberry.field(description="Its properties, by name.")

    @strawberry.field(
        description="Whether its records can be restored (planRestore, uploads); false for "
        "system-managed types such as conversations."
    )
    def restorable(self) -> bool:
        return resolvers.restores.restorable(self.name)

    @classmethod
    def from_model(cls, object_type: crm.ObjectType) -> Self:
        """`object_type.properties` must have been prefetched."""
        return cls(
            id=strawberry.ID(str(object_type.id)),
            name=object_type.name,
            singular_label=object_type.singular_label,
            plural_label=object_type.plural_label,
            is_custom=object_type.is_custom,
            properties=[Property.from_model(prop) for prop in object_type.properties],
        )


@strawberry.type(description="The value one property holds.")
class PropertyValue:
    name: str = strawberry.field(description="The property's name.")
    value: str = strawberry.field(description="The value, as text in the property type's format.")

    @classmethod
    def of(cls, values: Mapping[str, str], names: Iterable[str]) -> list[Self]:
        """The values of `names`, in that order. Built without the dataclass's `__init__`, whose
        keyword arguments cost more than the rest: a page of records builds a thousand."""
        new = object.__new__
        built = []
        for name in names:
            item = new(cls)
            item.name = name
            item.value = values[name]
            built.append(item)
        return built


@strawberry.type(description="A CRM record of one object type, live or in the recycle bin.")
class Record:
    id: strawberry.ID = strawberry.field(
        description="The record's id, kept by backups and restores."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(
        description="When its values or its place (recycle bin) last changed."
    )
    deleted_at: datetime | None = strawberry.field(
        description="Set while the record is in the recycle bin."
    )
    values: strawberry.Private[dict[str, str]]

    @strawberry.field(description="Set values only (a blank value is absent), sorted by name.")
    def properties(
        self,
        names: Annotated[
            list[str] | None,
            strawberry.argument(
                description="Only these properties (names the record lacks are left out); "
                "null: all."
            ),
        ] = None,
    ) -> list[PropertyValue]:
        wanted = self.values.keys() if names is None else set(names) & self.values.keys()
        return PropertyValue.of(self.values, sorted(wanted))

    @classmethod
    def from_model(cls, record: crm.Record | crm.RecordRow) -> Self:
        return cls(
            id=strawberry.ID(str(record.id)),
            created_at=record.created_at,
            updated_at=record.updated_at,
            deleted_at=record.deleted_at,
            values=record.properties,
        )


@strawberry.type(description="A link between two records of the account.")
class Association:
    id: strawberry.ID = strawberry.field(description="The association's id.")
    from_id: strawberry.ID = strawberry.field(description="The record it links from.")
    to_id: strawberry.ID = strawberry.field(description="The record it links to.")
    label: str = strawberry.field(description="What the link means; may be empty.")
    created_at: datetime = strawberry.field(description="When it was made.")

    @classmethod
    def from_model(cls, association: crm.Association) -> Self:
        return cls(
            id=strawberry.ID(str(association.id)),
            from_id=strawberry.ID(str(association.from_record_id)),
            to_id=strawberry.ID(str(association.to_record_id)),
            label=association.label,
            created_at=association.created_at,
        )


@strawberry.type(description="A change of one record's values, as it happened.")
class RecordChange:
    id: strawberry.ID = strawberry.field(
        description="The event's id: the same event may come twice (delivery is at least "
        "once), with the same id. Pass the last one seen as `after` to resume."
    )
    record_id: strawberry.ID = strawberry.field(description="The record that changed.")
    object_type: str = strawberry.field(description="The record's object type's name.")
    source: crm.ChangeSource = strawberry.field(description="What changed it.")
    properties: list[str] = strawberry.field(description="The properties whose value changed.")
    job_id: strawberry.ID | None = strawberry.field(
        description="The restore or import that made the change."
    )

    @classmethod
    def from_event(cls, event: crm.ChangeEvent) -> Self:
        change = event.change
        return cls(
            id=strawberry.ID(event.id),
            record_id=strawberry.ID(change.record_id),
            object_type=change.object_type,
            source=crm.ChangeSource(change.source),
            properties=change.properties,
            job_id=strawberry.ID(change.job_id) if change.job_id else None,
        )
