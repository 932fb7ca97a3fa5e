"""What the browser tests set up through the models: records. (A finished backup:
`tests.restoring.backed_up`.)"""

from models.crm import ObjectType, Record
from tests.conftest import Tenant


async def seed_records(tenant: Tenant, object_type: str, values: list[dict[str, str]]) -> None:
    found = await ObjectType.get(account_id=tenant.account.id, name=object_type)
    records = [Record(account=tenant.account, object_type=found, properties=v) for v in values]
    await Record.bulk_create(records)
