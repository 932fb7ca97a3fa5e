from datetime import datetime

import strawberry

from services import crm


@strawberry.input
class PropertyValueInput:
    name: str
    value: str | None = strawberry.field(description="Blank or null clears the value.")


def _changes(values: list[PropertyValueInput]) -> crm.Changes:
    return {value.name: value.value for value in values}


@strawberry.input
class NewRecordInput:
    properties: list[PropertyValueInput]

    def changes(self) -> crm.Changes:
        return _changes(self.properties)


@strawberry.input
class RecordUpdateInput:
    id: strawberry.ID
    properties: list[PropertyValueInput]

    def changes(self) -> crm.Changes:
        return _changes(self.properties)


@strawberry.input
class PropertyEqualsInput:
    name: str
    value: str


@strawberry.input
class RecordFilterInput:
    property_equals: list[PropertyEqualsInput] | None = None
    updated_since: datetime | None = None
    ids: list[strawberry.ID] | None = None

    def equalities(self) -> dict[str, str]:
        return {item.name: item.value for item in self.property_equals or []}


@strawberry.input
class CreatePropertyInput:
    object_type: str
    name: str
    label: str
    type: crm.PropertyType
    options: list[str] | None = None
    sensitive: bool = False


@strawberry.input
class CreateObjectTypeInput:
    name: str
    singular_label: str
    plural_label: str
