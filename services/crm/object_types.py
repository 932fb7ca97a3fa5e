"""Object types and their property definitions."""

import re
from collections.abc import Collection
from uuid import UUID

from tortoise import connections
from tortoise.exceptions import IntegrityError

from models.accounts import Role
from models.crm import ObjectType, Property, PropertyType
from services import activity
from services.core import database
from services.core.errors import NotFound, ValidationFailed
from services.core.json_rows import placeholder
from services.core.text import check_text, column_length
from services.core.viewer import Viewer
from services.crm.values import MAX_VALUE_LENGTH

# Names end up as CSV headers and JSON keys: keep them plain identifiers.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
SCHEMA_EDITORS = (Role.SUPER_ADMIN, Role.ADMIN)
# Names with a meaning of their own where property names go: a backup's CSV (and an imported
# one) starts with the column `id`, the record's id, by which restores and imports find the
# record. The API keeps a record's fields apart from its list of properties, so it adds none.
RESERVED_PROPERTY_NAMES = frozenset({"id"})
# A backup may hold associations.csv beside one `<object type>.csv` per type.
RESERVED_OBJECT_TYPE_NAMES = frozenset({"associations"})
SINGULAR_LABEL_LENGTH = column_length(ObjectType, "singular_label")
PLURAL_LABEL_LENGTH = column_length(ObjectType, "plural_label")
PROPERTY_LABEL_LENGTH = column_length(Property, "label")


def check_name(name: str, field: str) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise ValidationFailed(
            f"{name!r} is not a valid name: use lowercase letters, digits and _, "
            "starting with a letter (at most 63 characters).",
            field=field,
        )


def check_property_name(name: str) -> None:
    check_name(name, "name")
    if name in RESERVED_PROPERTY_NAMES:
        raise ValidationFailed(
            f"{name!r} is reserved: backup and import files use it for the record's id.",
            field="name",
        )


async def list_object_types(viewer: Viewer) -> list[ObjectType]:
    return (
        await ObjectType.filter(account_id=viewer.account_id)
        .order_by("is_custom", "name")
        .prefetch_related("properties")
    )


async def get_object_type(
    account_id: UUID, name: str, *, with_properties: bool = True
) -> ObjectType:
    """The account's object type called `name`, with its properties unless told otherwise
    (reading them is a query of its own)."""
    # A name that no object type can have is not looked up: the database may refuse it.
    query = ObjectType.get_or_none(account_id=account_id, name=name)
    if with_properties:
        query = query.prefetch_related("properties")
    found = NAME_PATTERN.fullmatch(name) and await query
    if not found:
        raise unknown_object_type(name)
    return found


async def id_having(account_id: UUID, name: str, property_names: Collection[str]) -> UUID | None:
    """The id of the account's object type called `name` when it has every property named
    (at least one), read by a statement of its own that builds no model (a filtered page asks
    it each time, and Tortoise's building of the query cost three times its answer); None for
    an unknown type or property, which `get_object_type` then tells apart."""
    if not NAME_PATTERN.fullmatch(name):
        return None
    names = sorted(set(property_names))
    client = connections.get("default")
    marks = [placeholder(client, n) for n in range(1, len(names) + 3)]
    # The properties' names are unique within their type: one row for each name it has.
    _, rows = await client.execute_query(
        f"SELECT p.object_type_id FROM {Property._meta.db_table} AS p "
        f"JOIN {ObjectType._meta.db_table} AS o ON o.id = p.object_type_id "
        f"WHERE o.account_id = {marks[0]} AND o.name = {marks[1]} "
        f"AND p.name IN ({', '.join(marks[2:])})",
        # Text for SQLite's columns of ids; asyncpg takes it for a uuid as well.
        [str(account_id), name, *names],
    )
    if len(rows) < len(names):
        return None
    return UUID(str(rows[0]["object_type_id"]))


def unknown_object_type(name: str) -> NotFound:
    return NotFound(f"No object type called {name!r}.")


def properties_by_name(object_type: ObjectType) -> dict[str, Property]:
    return {prop.name: prop for prop in object_type.properties}


async def create_custom_object_type(
    viewer: Viewer, name: str, singular_label: str, plural_label: str
) -> ObjectType:
    viewer.require_role(*SCHEMA_EDITORS)
    check_name(name, "name")
    if name in RESERVED_OBJECT_TYPE_NAMES:
        raise ValidationFailed(
            f"{name!r} is reserved: a backup names its file of associations so.", field="name"
        )
    check_text(singular_label, "singularLabel", SINGULAR_LABEL_LENGTH)
    check_text(plural_label, "pluralLabel", PLURAL_LABEL_LENGTH)
    try:
        async with database.transaction():
            object_type = await ObjectType.create(
                account_id=viewer.account_id,
                name=name,
                singular_label=singular_label.strip() or name,
                plural_label=plural_label.strip() or name,
                is_custom=True,
            )
            await activity.record_event(
                viewer.account_id,
                viewer.user.id,
                "OBJECT_TYPE_CREATED",
                target_type="object_type",
                target_id=object_type.id,
                name=name,
            )
    except IntegrityError:
        raise ValidationFailed(f"An object type called {name!r} exists.", field="name") from None
    return await get_object_type(viewer.account_id, name)


async def create_property(
    viewer: Viewer,
    object_type_name: str,
    name: str,
    label: str,
    type: PropertyType,
    *,
    options: list[str] | None = None,
    sensitive: bool = False,
) -> Property:
    viewer.require_role(*SCHEMA_EDITORS)
    object_type = await get_object_type(viewer.account_id, object_type_name)
    check_property_name(name)
    check_text(label, "label", PROPERTY_LABEL_LENGTH)
    options = _checked_options(type, options or [])
    try:
        async with database.transaction():
            prop = await Property.create(
                object_type=object_type,
                name=name,
                label=label.strip() or name,
                type=type,
                options=options,
                sensitive=sensitive,
            )
            await activity.record_event(
                viewer.account_id,
                viewer.user.id,
                "PROPERTY_CREATED",
                target_type="property",
                target_id=prop.id,
                object_type=object_type_name,
                name=name,
                sensitive=sensitive,
            )
    except IntegrityError:
        raise ValidationFailed(
            f"{object_type_name} already has a property called {name!r}.", field="name"
        ) from None
    return prop


def _checked_options(type: PropertyType, options: list[str]) -> list[str]:
    if type != PropertyType.ENUMERATION:
        if options:
            raise ValidationFailed("Only ENUMERATION properties take options.", field="options")
        return []
    cleaned = [check_text(option, "options", MAX_VALUE_LENGTH).strip() for option in options]
    if not cleaned or any(not option for option in cleaned) or len(set(cleaned)) != len(cleaned):
        raise ValidationFailed(
            "An ENUMERATION needs one or more distinct, non-blank options.", field="options"
        )
    return cleaned
