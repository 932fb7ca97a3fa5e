from datetime import datetime
from typing import Self

import strawberry

import resolvers.restores
from services import crm

# The models' enums are the GraphQL ones: `strawberry.enum` marks the class in place.
strawberry.enum(crm.PropertyType)


@strawberry.type
class Property:
    id: strawberry.ID
    name: str
    label: str
    type: crm.PropertyType
    options: list[str] = strawberry.field(description="The allowed values of an ENUMERATION.")
    sensitive: bool

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


@strawberry.type
class ObjectType:
    id: strawberry.ID
    name: str
    singular_label: str
    plural_label: str
    is_custom: bool
    properties: list[Property]

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


@strawberry.type
class PropertyValue:
    name: str
    value: str


@strawberry.type
class Record:
    id: strawberry.ID
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = strawberry.field(
        description="Set while the record is in the recycle bin."
    )
    values: strawberry.Private[dict[str, str]]

    @strawberry.field(description="Set values only (a blank value is absent), sorted by name.")
    def properties(self, names: list[str] | None = None) -> list[PropertyValue]:
        wanted = self.values.keys() if names is None else set(names) & self.values.keys()
        return [PropertyValue(name=name, value=self.values[name]) for name in sorted(wanted)]

    @classmethod
    def from_model(cls, record: crm.Record | crm.RecordRow) -> Self:
        return cls(
            id=strawberry.ID(str(record.id)),
            created_at=record.created_at,
            updated_at=record.updated_at,
            deleted_at=record.deleted_at,
            values=record.properties,
        )


@strawberry.type
class Association:
    id: strawberry.ID
    from_id: strawberry.ID
    to_id: strawberry.ID
    label: str
    created_at: datetime

    @classmethod
    def from_model(cls, association: crm.Association) -> Self:
        return cls(
            id=strawberry.ID(str(association.id)),
            from_id=strawberry.ID(str(association.from_record_id)),
            to_id=strawberry.ID(str(association.to_record_id)),
            label=association.label,
            created_at=association.created_at,
        )


@strawberry.type
class RecordChange:
    id: strawberry.ID = strawberry.field(
        description="The event's id: the same event may come twice (delivery is at least "
        "once), with the same id. Pass the last one seen as `after` to resume."
    )
    record_id: strawberry.ID
    object_type: str
    source: str = strawberry.field(description="API, RESTORE or IMPORT.")
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
            source=change.source,
            properties=change.properties,
            job_id=strawberry.ID(change.job_id) if change.job_id else None,
        )
