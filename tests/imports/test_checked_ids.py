"""A file's ids as the checks made in Python take them (`services.restores.triage`): each as
the database writes it, however the file spells it, so that one id spelt two ways is one id."""

from uuid import uuid4

from models.crm import ObjectType
from services.restores.source import Targets
from services.restores.triage import Checked
from tests.support.tenants import Tenant


async def test_ids_are_taken_as_the_database_writes_them_and_a_repeat_spelt_otherwise_is_refused(
    tenant: Tenant,
) -> None:
    deals = await ObjectType.get(account_id=tenant.account.id, name="deals")
    await deals.fetch_related("properties")
    written, other = str(uuid4()), uuid4()
    ids = [written, str(other).upper(), f"{{{other}}}", written.upper(), "not an id"]
    batch = Targets(ids, {"dealname": ["a", "b", "c", "d", "e"]}, first_row=10)

    checked = Checked(deals, batch)

    assert checked.positions == [0, 1]
    assert list(checked.rows.record_ids) == [written, str(other)]
    assert checked.rows.columns == {"dealname": ["a", "b"]}
    assert [(row.row_number, row.reason) for row in checked.refused([])] == [
        (12, "The id repeats that of row 11."),
        (13, "The id repeats that of row 10."),
        (14, "The id is not a record id."),
    ]
