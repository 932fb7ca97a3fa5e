from models.restores import RestoreStatus
from tests.support.backups import backed_up
from tests.support.comparisons import compared
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_deals, set_values, values_of
from tests.support.restores import PLAN_CHOSEN, deal, planned_chosen, restore_finished, start
from tests.support.tenants import MakeTenant, Tenant
from tests.support.two_factor import step_up


async def test_a_bad_bulk_edit_is_undone_without_touching_later_good_edits(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(6)])
    backup_id = await backed_up(gql, tenant)
    for record_id in ids[:4]:
        await set_values(record_id, {"amount": "0"})  # The bad bulk edit.
    comparison = await compared(gql, tenant.super_admin, backup_id)
    await set_values(ids[5], {"amount": "7777"})  # A good edit, after the comparison.
    whole = await planned_chosen(gql, tenant, backupId=backup_id)
    assert (whole["status"], whole["plan"]["recordsToChange"]) == ("PLANNED", 5)

    chosen = await planned_chosen(gql, tenant, backupId=backup_id, comparisonId=comparison["id"])
    assert (chosen["status"], chosen["plan"]["recordsInSource"]) == ("PLANNED", 4)
    assert (chosen["plan"]["recordsToChange"], chosen["plan"]["recordsCreatedSince"]) == (4, 0)
    await step_up(tenant)
    await start(gql, tenant.super_admin, chosen["id"])
    assert (await restore_finished(chosen["id"])).status == RestoreStatus.SUCCEEDED
    assert [(await values_of(each))["amount"] for each in ids] == [
        "1000", "1001", "1002", "1003", "1004", "7777",
    ]  # fmt: skip

    by_ids = await planned_chosen(gql, tenant, backupId=backup_id, ids=[str(ids[5]), str(ids[4])])
    assert (by_ids["plan"]["recordsInSource"], by_ids["plan"]["recordsToChange"]) == (2, 1)


async def test_chosen_records_are_checked(gql: GraphQLClient, make_tenant: MakeTenant) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    ids = await seed_deals(ours, [deal(1)])
    backup_id = await backed_up(gql, ours)
    comparison = await compared(gql, ours.super_admin, backup_id)
    token = ours.super_admin

    async def refused(**variables: object) -> str | None:
        return await gql.error_code(PLAN_CHOSEN, {"backupId": backup_id, **variables}, token)

    assert await refused(ids=[]) == "VALIDATION_FAILED"
    assert await refused(ids=["not-an-id"]) == "VALIDATION_FAILED"
    both = {"ids": [str(ids[0])], "comparisonId": comparison["id"]}
    assert await refused(**both) == "VALIDATION_FAILED"
    await seed_deals(theirs, [deal(1)])
    their_backup = await backed_up(gql, theirs)
    their_comparison = await compared(gql, theirs.super_admin, their_backup)
    assert await refused(comparisonId=their_comparison["id"]) == "NOT_FOUND"
    shown = (await gql.data(PLAN_CHOSEN, {"backupId": backup_id, "ids": [str(ids[0])]}, token))[
        "planRestore"
    ]
    assert (shown["recordIds"], shown["comparisonId"]) == ([str(ids[0])], None)
