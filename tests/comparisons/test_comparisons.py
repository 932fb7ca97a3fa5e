import csv
import io
from uuid import UUID

import httpx

from models.audit import AuditEvent
from models.comparisons import ComparedRecord
from services.accounts import sessions as auth
from services.crm.records import delete_records, purge_records
from tests.support.backups import backed_up
from tests.support.comparisons import (
    COMPARE,
    COMPARISON,
    COMPARISONS,
    by_type,
    compared,
    hand_made_changes,
    second_backup,
    two_backups_of_a_deal,
    watched,
)
from tests.support.graphql import GraphQLClient
from tests.support.records import add_property, seed_deals, set_values
from tests.support.restores import deal
from tests.support.tenants import MakeTenant, Tenant


async def test_a_comparison_counts_every_hand_made_change(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    made = await hand_made_changes(gql, tenant)
    comparison = await compared(gql, tenant.super_admin, made["first"], made["second"])
    assert (comparison["status"], comparison["failureCode"]) == ("SUCCEEDED", None)
    objects = by_type(comparison)
    deals = objects["deals"]
    counts = {key: deals[key] for key in ("recordsBefore", "recordsAfter", "added", "deleted")}
    assert counts == {"recordsBefore": 10, "recordsAfter": 10, "added": 2, "deleted": 1}
    assert (deals["purged"], deals["changed"], deals["unchanged"]) == (1, 5, 3)
    amount = deals["properties"]["amount"]
    assert (amount["changed"], amount["set"], amount["cleared"]) == (2, 1, 0)
    ids = made["ids"]
    assert [
        (s["recordId"], s["recordName"], s["before"], s["after"]) for s in amount["samples"]
    ] == [
        (str(ids[2]), "Deal 2", "1002", "9002"),
        (str(ids[3]), "Deal 3", "1003", "9003"),
        (str(ids[5]), "Deal 5", None, "5"),
    ]
    stage = deals["properties"]["dealstage"]
    assert (stage["changed"], stage["set"], stage["cleared"]) == (0, 0, 1)
    assert stage["samples"][0]["beforeLabel"] != "" and stage["samples"][0]["after"] is None
    # A sensitive value is counted, never shown.
    commission = deals["properties"]["commission"]
    assert (commission["sensitive"], commission["changed"], commission["samples"]) == (True, 1, [])
    unchanged = deals["properties"]["pipeline"]
    assert (unchanged["changed"], unchanged["set"], unchanged["cleared"]) == (0, 0, 0)
    projects = objects["projects"]
    assert (projects["changed"], projects["unchanged"], projects["added"]) == (1, 2, 0)
    [title] = projects["properties"]["title"]["samples"]
    assert (title["recordName"], title["before"], title["after"]) == ("Renamed", "P0", "Renamed")
    # Neither backup holds a contact.
    assert sorted(objects) == ["deals", "projects"]
    # The full list, through the signed link.
    response = await http.get(comparison["differencesDownloadUrl"])
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["object_type", "record_id", "change", "properties"]
    expected = {
        ("deals", str(ids[0]), "DELETED", ""),
        ("deals", str(ids[1]), "PURGED", ""),
        ("deals", str(ids[2]), "CHANGED", "amount"),
        ("deals", str(ids[3]), "CHANGED", "amount"),
        ("deals", str(ids[4]), "CHANGED", "dealstage"),
        ("deals", str(ids[5]), "CHANGED", "amount"),
        ("deals", str(ids[6]), "CHANGED", "commission"),
        *{("deals", str(record_id), "ADDED", "") for record_id in made["added"]},
        ("projects", str(made["project"]), "CHANGED", "title"),
    }
    assert {tuple(row) for row in rows[1:]} == expected and len(rows) == 1 + len(expected)
    downloaded = await AuditEvent.filter(
        account_id=tenant.account.id, action="COMPARISON_DOWNLOADED"
    ).values_list("target_id", flat=True)
    assert downloaded == [comparison["id"]]
    assert (await http.get(comparison["differencesDownloadUrl"] + "x")).status_code == 404


async def test_records_are_compared_by_their_values_not_by_how_a_file_quotes_them(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    # A value holding a CR has a whole batch of rows quoted, in the export that writes rows with
    # the csv module: once that value is gone, the next backup writes the same values of the
    # other deals unquoted.
    ids = await seed_deals(tenant, [deal(0, dealname="Carriage\rreturn"), deal(1), deal(2)])
    first = await backed_up(gql, tenant)
    await set_values(ids[0], {"dealname": "Plain"})
    await set_values(ids[2], {"dealname": 'Two\nlines, "quoted"'})
    second = await second_backup(gql, tenant)
    comparison = await compared(gql, tenant.super_admin, first, second)
    deals = by_type(comparison)["deals"]
    assert (deals["changed"], deals["unchanged"]) == (2, 1)
    samples = deals["properties"]["dealname"]["samples"]
    assert {s["recordId"]: (s["before"], s["after"]) for s in samples} == {
        str(ids[0]): ("Carriage\rreturn", "Plain"),
        str(ids[2]): ("Deal 2", 'Two\nlines, "quoted"'),
    }


async def test_today_is_compared_with_the_records_now_and_purges_are_dated(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    made = await hand_made_changes(gql, tenant)
    ids = made["ids"]
    viewer = await auth.authenticate(tenant.super_admin)
    # After the second backup: deal 0 (in the bin then) is purged, deal 7 deleted.
    await purge_records(viewer, [ids[0]])
    await delete_records(viewer, [ids[7]])
    today = by_type(await compared(gql, tenant.super_admin, made["first"]))["deals"]
    assert (today["deleted"], today["purged"], today["added"], today["changed"]) == (1, 2, 2, 5)
    assert today["recordsAfter"] == 9
    # The second backup still saw deal 0 in the recycle bin: deleted, not purged, as of then.
    then = by_type(await compared(gql, tenant.super_admin, made["first"], made["second"]))
    assert (then["deals"]["deleted"], then["deals"]["purged"]) == (1, 1)


async def test_a_comparison_is_for_super_admins_of_the_backups_account(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    first, second = await two_backups_of_a_deal(gql, ours)
    variables = {"from": first, "to": second}
    assert await gql.error_code(COMPARE, variables, ours.admin) == "FORBIDDEN"
    assert await gql.error_code(COMPARE, variables, ours.member) == "FORBIDDEN"
    assert await gql.error_code(COMPARE, variables, theirs.super_admin) == "NOT_FOUND"
    assert await gql.error_code(COMPARE, {"from": first}, theirs.super_admin) == "NOT_FOUND"
    assert await gql.error_code(COMPARE, variables) == "UNAUTHENTICATED"
    backwards = {"from": second, "to": first}
    assert await gql.error_code(COMPARE, backwards, ours.super_admin) == "VALIDATION_FAILED"
    same = {"from": first, "to": first}
    assert await gql.error_code(COMPARE, same, ours.super_admin) == "VALIDATION_FAILED"
    comparison = await compared(gql, ours.super_admin, first, second)
    assert by_type(comparison)["deals"]["unchanged"] == 1
    shown = {"id": comparison["id"]}
    assert await gql.error_code(COMPARISON, shown, theirs.super_admin) == "NOT_FOUND"
    assert await gql.error_code(COMPARISON, shown, ours.admin) == "FORBIDDEN"
    assert not await ComparedRecord.filter(comparison_id=UUID(comparison["id"])).exists()


async def test_the_comparisons_are_listed_newest_first_for_super_admins_of_the_account(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    first, second = await two_backups_of_a_deal(gql, ours)
    watched_after = await watched(second)
    asked = await compared(gql, ours.super_admin, first)
    listed = (await gql.data(COMPARISONS, {"first": 1}, ours.super_admin))["comparisons"]
    assert [each["id"] for each in listed["nodes"]] == [asked["id"]]
    assert (listed["totalCount"], listed["pageInfo"]["hasNextPage"]) == (2, True)
    after = {"first": 1, "after": listed["pageInfo"]["endCursor"]}
    older = (await gql.data(COMPARISONS, after, ours.super_admin))["comparisons"]
    assert [(each["id"], each["afterBackup"]) for each in older["nodes"]] == [
        (str(watched_after.id), True)
    ]
    assert not older["pageInfo"]["hasNextPage"]
    assert (await gql.data(COMPARISONS, {"first": 5}, theirs.super_admin))["comparisons"][
        "totalCount"
    ] == 0
    assert await gql.error_code(COMPARISONS, {"first": 5}, ours.admin) == "FORBIDDEN"
    assert await gql.error_code(COMPARISONS, {"first": 0}, ours.super_admin) == (
        "VALIDATION_FAILED"
    )


async def test_a_property_one_backup_lacks_is_blank_there(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(3)])
    first = await backed_up(gql, tenant)
    await add_property(tenant, "deals", "region", "Region")
    await set_values(ids[0], {"region": "North"})
    await set_values(ids[1], {"region": "South", "amount": "7"})
    second = await second_backup(gql, tenant)
    deals = by_type(await compared(gql, tenant.super_admin, first, second))["deals"]
    assert (deals["changed"], deals["unchanged"]) == (2, 1)
    region, amount = deals["properties"]["region"], deals["properties"]["amount"]
    assert (region["set"], region["changed"], region["cleared"]) == (2, 0, 0)
    assert [sample["after"] for sample in region["samples"]] == ["North", "South"]
    assert (amount["set"], amount["changed"], amount["cleared"]) == (0, 1, 0)
    # The records now are the second backup's.
    backwards = by_type(await compared(gql, tenant.super_admin, second))["deals"]
    assert (backwards["changed"], backwards["unchanged"]) == (0, 3)
