"""Tickets with a property called `id`, as accounts made before the name was reserved have:
the property written behind the API, which refuses the name now."""

from uuid import UUID

from models.crm import ObjectType, Property, PropertyType
from tests.support.records import seed_records, set_values
from tests.support.tenants import Tenant

TICKETS = "tickets"


async def tickets_with_an_id_property(tenant: Tenant, count: int) -> dict[UUID, str]:
    """`count` tickets, each with its own value of the property `id`: record id -> that value."""
    await Property.create(
        object_type=await ObjectType.get(account_id=tenant.account.id, name=TICKETS),
        name="id",
        label="External id",
        type=PropertyType.STRING,
    )
    values = [{"subject": f"Ticket {i}", "id": f"EXT-{i}"} for i in range(count)]
    records = await seed_records(tenant, TICKETS, values)
    return {record.id: record.properties["id"] for record in records}


async def change_id_values(tickets: dict[UUID, str]) -> None:
    """Every ticket's `id` property edited since the backup."""
    for record_id, value in tickets.items():
        await set_values(record_id, {"id": f"changed {value}"})
