from models.restores import RestoreStatus
from tests.support.backups import backed_up
from tests.support.graphql import GraphQLClient
from tests.support.id_property import TICKETS, change_id_values, tickets_with_an_id_property
from tests.support.records import values_of
from tests.support.restores import plan, restore_finished, start
from tests.support.tenants import Tenant
from tests.support.two_factor import step_up


async def test_a_property_called_id_is_restored_from_its_own_column(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    tickets = await tickets_with_an_id_property(tenant, 10)
    # The backup's tickets.csv has two `id` columns: the record id's, then the property's.
    backup_id = await backed_up(gql, tenant)
    await change_id_values(tickets)

    planned = await plan(gql, tenant, backup_id, ["id"], object_type=TICKETS)
    assert planned["plan"]["recordsToChange"] == 10
    assert {sample["restoredValue"] for sample in planned["plan"]["sampleChanges"]} <= set(
        tickets.values()
    )
    await step_up(tenant)
    await start(gql, tenant.super_admin, planned["id"])
    restore = await restore_finished(planned["id"])
    assert restore.status == RestoreStatus.SUCCEEDED, restore.failure_reason

    for record_id, value in tickets.items():
        assert (await values_of(record_id))["id"] == value
