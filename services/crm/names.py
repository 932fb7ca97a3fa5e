"""What people call records and values: a record by its display property (a contact's name or
email, a company's or deal's name, another type's primary property), an enumeration's value by
its option's label. Read in bulk: one query for the types and one for the records."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from models.crm import ObjectType, Property, PropertyType, Record
from services.crm.catalog import OPTION_LABELS, STANDARD_OBJECT_TYPES

# Each alternative is a group of properties joined by a space; the first that is set names it.
Rule = tuple[tuple[str, ...], ...]
_RULES: dict[str, Rule] = {
    "contacts": (("firstname", "lastname"), ("email",)),
    **{
        spec.name: ((spec.properties[0].name,),)
        for spec in STANDARD_OBJECT_TYPES
        if spec.name != "contacts" and spec.properties
    },
}


def display_name(rule: Rule, values: Mapping[str, str]) -> str | None:
    """The first alternative of `rule` that `values` holds, or None."""
    for group in rule:
        name = " ".join(values[prop] for prop in group if values.get(prop))
        if name:
            return name
    return None


def value_label(prop: Property | None, value: str | None) -> str | None:
    """An enumeration's value as its option's label; any other value as it is."""
    if value is None or prop is None or prop.type != PropertyType.ENUMERATION:
        return value
    return OPTION_LABELS.get(value, value)


@dataclass(frozen=True)
class Names:
    """The names of some records, and the properties of their object types."""

    records: dict[UUID, str]
    types: dict[str, ObjectType]

    def record(self, record_id: UUID) -> str | None:
        return self.records.get(record_id)

    def of_values(self, object_type: str, values: Mapping[str, str]) -> str | None:
        """A row's name from its own values (a file's row that names no stored record)."""
        known = self.types.get(object_type)
        return display_name(_rule(known), _public(known, values)) if known else None

    def value(self, object_type: str, prop: str, value: str | None) -> str | None:
        known = self.types.get(object_type)
        defined = {each.name: each for each in known.properties} if known else {}
        return value_label(defined.get(prop), value)


async def names_of(
    account_id: UUID, object_types: Iterable[str], record_ids: Iterable[UUID] = ()
) -> Names:
    """The names of `record_ids` (in the recycle bin too; a purged record has none), and what
    naming the values of `object_types` needs."""
    types = await ObjectType.filter(
        account_id=account_id, name__in=set(object_types)
    ).prefetch_related("properties")
    by_id = {object_type.id: object_type for object_type in types}
    ids = set(record_ids)
    rows = (
        await Record.filter(
            account_id=account_id, id__in=ids, object_type_id__in=list(by_id)
        ).values_list("id", "object_type_id", "properties")
        if ids and by_id
        else []
    )
    names = Names(records={}, types={object_type.name: object_type for object_type in types})
    for record_id, type_id, values in rows:
        name = names.of_values(by_id[type_id].name, values)
        if name:
            names.records[record_id] = name
    return names


def _rule(object_type: ObjectType) -> Rule:
    """A custom type's primary property is its first one."""
    if object_type.name in _RULES and not object_type.is_custom:
        return _RULES[object_type.name]
    first = min(object_type.properties, key=lambda prop: (prop.created_at, prop.name), default=None)
    return ((first.name,),) if first else ()


def _public(object_type: ObjectType, values: Mapping[str, str]) -> Mapping[str, str]:
    """A sensitive value never names a record."""
    sensitive = {prop.name for prop in object_type.properties if prop.sensitive}
    return {name: value for name, value in values.items() if name not in sensitive}
