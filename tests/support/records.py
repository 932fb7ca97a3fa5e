"""CRM records for the tests: the one factory that writes them through the models, what the
tests read back, and records made over the API."""

from collections import Counter
from typing import Any
from uuid import UUID

from models.crm import ObjectType, Property, PropertyType, PurgedRecord, Record
from services.core.clock import now
from services.crm import values as crm_values
from tests.support.graphql import GraphQLClient
from tests.support.tenants import Tenant

Values = dict[str, str]
# id -> (object type, properties, in the recycle bin)
Records = dict[UUID, tuple[str, Values, bool]]

CREATE_RECORDS = """mutation($type: String!, $records: [NewRecordInput!]!) {
  createRecords(objectType: $type, records: $records) { id } }"""


async def seed_records(
    tenant: Tenant, object_type: str, values: list[Values], *, recycled: bool = False
) -> list[Record]:
    """Records of the tenant's `object_type`, one per item of `values`, in id order; in the
    recycle bin when `recycled`."""
    found = await ObjectType.get(account_id=tenant.account.id, name=object_type)
    deleted_at = now() if recycled else None
    records = [
        Record(
            account_id=tenant.account.id,
            object_type=found,
            properties=properties,
            deleted_at=deleted_at,
        )
        for properties in values
    ]
    await Record.bulk_create(records, batch_size=1000)
    return records


async def seed_contacts(tenant: Tenant, count: int) -> None:
    values = [{"email": f"c{i}@example.com", "firstname": f"C{i}"} for i in range(count)]
    await seed_records(tenant, "contacts", values)


async def seed_deals(tenant: Tenant, values: list[Values]) -> list[UUID]:
    """Deals with these values; their ids, in order."""
    return [record.id for record in await seed_records(tenant, "deals", values)]


async def add_property(
    tenant: Tenant,
    object_type: str,
    name: str,
    label: str,
    *,
    kind: PropertyType = PropertyType.STRING,
    sensitive: bool = False,
) -> None:
    """A custom property on one of the tenant's object types."""
    await Property.create(
        object_type=await ObjectType.get(account_id=tenant.account.id, name=object_type),
        name=name,
        label=label,
        type=kind,
        sensitive=sensitive,
    )


async def values_of(record_id: UUID) -> Values:
    record = await Record.get(id=record_id)
    return dict(record.properties)


async def set_values(record_id: UUID, changes: dict[str, str | None]) -> None:
    """Edits made behind the API's back, stored as the API would store them (blank: absent)."""
    record = await Record.get(id=record_id)
    merged = {k: v for k, v in {**record.properties, **changes}.items() if v}
    await Record.filter(id=record_id).update(properties=merged)


async def records_of(account_id: UUID) -> Records:
    """Every record of the account: id -> (object type, properties, in the recycle bin)."""
    rows = await Record.filter(account_id=account_id).select_related("object_type")
    return {
        row.id: (row.object_type.name, row.properties, row.deleted_at is not None) for row in rows
    }


async def purge(records: list[Record]) -> None:
    """What purging leaves: the records gone, a tombstone for each."""
    for record in records:
        await PurgedRecord.create(
            id=record.id, account_id=record.account_id, object_type_id=record.object_type_id
        )
    await Record.filter(id__in=[record.id for record in records]).delete()


def assert_valid_values(object_type: ObjectType, records: list[Record]) -> None:
    """Every value fits its property; every property is filled somewhere and blank somewhere."""
    definitions = {prop.name: prop for prop in object_type.properties}
    filled: Counter[str] = Counter()
    for record in records:
        for name, value in record.properties.items():
            assert value, (object_type.name, name)
            crm_values.check(definitions[name], value)
            filled[name] += 1
    assert set(filled) == set(definitions), object_type.name
    assert any(count < len(records) for count in filled.values()), object_type.name


def property_values(*pairs: tuple[str, str | None]) -> list[dict[str, Any]]:
    """Name and value pairs as the API's property inputs."""
    return [{"name": name, "value": value} for name, value in pairs]


def properties_of(node: dict[str, Any]) -> dict[str, str]:
    """A record as the API answers it (`properties { name value }`), as a dict."""
    return {item["name"]: item["value"] for item in node["properties"]}


async def create_records(
    gql: GraphQLClient, token: str, object_type: str, records: list[Values]
) -> list[str]:
    """Records created over the API; their ids, in order."""
    inputs = [{"properties": property_values(*record.items())} for record in records]
    variables = {"type": object_type, "records": inputs}
    created = (await gql.data(CREATE_RECORDS, variables, token))["createRecords"]
    return [record["id"] for record in created]


async def create_contacts(gql: GraphQLClient, token: str, count: int) -> list[str]:
    emails = [{"email": f"c{i}@example.com"} for i in range(count)]
    return await create_records(gql, token, "contacts", emails)
