from datetime import datetime

import strawberry

from services import crm

PROPERTY_NAME = "A property's name (`Property.name`) of the record's object type."


@strawberry.input(description="A value to give one property of a record.")
class PropertyValueInput:
    name: str = strawberry.field(description=PROPERTY_NAME)
    value: str | None = strawberry.field(
        description="The value, as text in the property type's format (at most "
        f"{crm.MAX_VALUE_LENGTH:,} characters). Blank or null clears the value."
    )


def _changes(values: list[PropertyValueInput]) -> crm.Changes:
    return {value.name: value.value for value in values}


@strawberry.input(description="A record to create.")
class NewRecordInput:
    properties: list[PropertyValueInput] = strawberry.field(
        description="Its values; properties left out stay blank."
    )

    def changes(self) -> crm.Changes:
        return _changes(self.properties)


@strawberry.input(description="New values for one live record.")
class RecordUpdateInput:
    id: strawberry.ID = strawberry.field(
        description="The record's id; once per update (VALIDATION_FAILED), and live (a record "
        "in the recycle bin or of another account is NOT_FOUND)."
    )
    properties: list[PropertyValueInput] = strawberry.field(
        description="The values to set or clear; properties left out keep theirs."
    )

    def changes(self) -> crm.Changes:
        return _changes(self.properties)


@strawberry.input(description="A property that must hold exactly this value.")
class PropertyEqualsInput:
    name: str = strawberry.field(description=PROPERTY_NAME)
    value: str = strawberry.field(
        description="The value, compared as stored text (case and format included)."
    )


@strawberry.input(description="Which records to list: those that match every field given.")
class RecordFilterInput:
    property_equals: list[PropertyEqualsInput] | None = strawberry.field(
        default=None,
        description="Records whose properties hold all these values. An unknown property is "
        "VALIDATION_FAILED.",
    )
    updated_since: datetime | None = strawberry.field(
        default=None, description="Records changed at or after this instant."
    )
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Records among these ids (unknown ones are left out)."
    )

    def equalities(self) -> dict[str, str]:
        return {item.name: item.value for item in self.property_equals or []}


NAME_RULE = "lowercase letters, digits and _, starting with a letter, at most 63 characters"


@strawberry.input(description="A property to add to an object type.")
class CreatePropertyInput:
    object_type: str = strawberry.field(
        description="The object type's `name` (NOT_FOUND when there is none)."
    )
    name: str = strawberry.field(
        description=f"The property's name in the API and in backup files: {NAME_RULE}; "
        "unique in the object type, and not `id`."
    )
    label: str = strawberry.field(description="The name people see.")
    type: crm.PropertyType = strawberry.field(description="What its values may be.")
    options: list[str] | None = strawberry.field(
        default=None,
        description="For an ENUMERATION only, and needed there: its distinct, non-blank values.",
    )
    sensitive: bool = strawberry.field(
        default=False,
        description="Personal data: its values are withheld from restore plans, samples and "
        "refused rows.",
    )


@strawberry.input(description="A custom object type to create.")
class CreateObjectTypeInput:
    name: str = strawberry.field(
        description=f"Its name in the API and in backup files: {NAME_RULE}; unique in the account."
    )
    singular_label: str = strawberry.field(description="What people call one record, e.g. Car.")
    plural_label: str = strawberry.field(description="What people call several, e.g. Cars.")
