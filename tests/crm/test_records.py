import json
import re
from typing import Any

import pytest

from models.crm import PurgedRecord, Record
from services.core.clock import now
from services.crm import RecordFilter, filtered, record_pages
from tests.support.graphql import GraphQLClient
from tests.support.query_plans import analyze, query_plan, statement_plan
from tests.support.records import create_contacts, properties_of, property_values, seed_records
from tests.support.tenants import MakeTenant, Tenant
from tests.support.value_shares import replace_shares
from tests.support.value_shares import sample as sample_now

CREATE = """
mutation($type: String!, $records: [NewRecordInput!]!) {
  createRecords(objectType: $type, records: $records) { id properties { name value } }
}
"""
UPDATE = """
mutation($records: [RecordUpdateInput!]!) {
  updateRecords(records: $records) { id properties { name value } }
}
"""
LIST = """
query($type: String!, $first: Int!, $after: String, $filter: RecordFilterInput) {
  records(objectType: $type, first: $first, after: $after, filter: $filter) {
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
GET = "query($id: ID!) { record(id: $id) { id deletedAt properties { name value } } }"
CREATE_PROPERTY = "mutation($i: CreatePropertyInput!) { createProperty(input: $i) { name } }"


async def test_create_read_update_clear(gql: GraphQLClient, tenant: Tenant) -> None:
    token = tenant.member
    created = (
        await gql.data(
            CREATE,
            {
                "type": "deals",
                "records": [
                    {
                        "properties": property_values(
                            ("dealname", "Renewal"),
                            ("amount", "1250.50"),
                            ("dealstage", "contractsent"),
                            ("closedate", "2026-12-01"),
                            ("pipeline", ""),
                        )
                    }
                ],
            },
            token,
        )
    )["createRecords"][0]
    assert properties_of(created) == {
        "dealname": "Renewal",
        "amount": "1250.50",
        "dealstage": "contractsent",
        "closedate": "2026-12-01",
    }

    updated = (
        await gql.data(
            UPDATE,
            {
                "records": [
                    {
                        "id": created["id"],
                        "properties": property_values(
                            ("amount", "99"),
                            ("closedate", None),
                            ("dealstage", ""),
                        ),
                    }
                ]
            },
            token,
        )
    )["updateRecords"][0]
    assert properties_of(updated) == {"dealname": "Renewal", "amount": "99"}
    stored = await Record.get(id=created["id"])
    assert stored.properties == {"dealname": "Renewal", "amount": "99"}


async def test_invalid_values_refuse_the_whole_batch(gql: GraphQLClient, tenant: Tenant) -> None:
    records = [
        {"properties": property_values(("email", "ok@example.com"))},
        {"properties": property_values(("date_of_birth", "31/12/1990"))},
        {"properties": property_values(("lifecyclestage", "champion"), ("nonexistent", "x"))},
        {"properties": property_values(("email_opt_out", "yes"))},
    ]
    body = await gql.raw(CREATE, {"type": "contacts", "records": records}, tenant.member)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    problems = {(p["index"], p["property"]) for p in error["extensions"]["problems"]}
    assert problems == {
        (1, "date_of_birth"),
        (2, "lifecyclestage"),
        (2, "nonexistent"),
        (3, "email_opt_out"),
    }
    assert await Record.filter(account_id=tenant.account.id).count() == 0


async def test_value_types(gql: GraphQLClient, tenant: Tenant) -> None:
    good = [("hs_call_duration", "-12.5e3"), ("hs_timestamp", "2026-11-21T10:00:00+01:00")]
    bad = [
        ("hs_call_duration", "NaN"),
        ("hs_call_duration", "12 min"),
        ("hs_timestamp", "2026-11-21T10:00:00"),
        ("hs_timestamp", "yesterday"),
    ]
    for name, value in good:
        await gql.data(
            CREATE,
            {"type": "calls", "records": [{"properties": property_values((name, value))}]},
            tenant.member,
        )
    for name, value in bad:
        code = await gql.error_code(
            CREATE,
            {"type": "calls", "records": [{"properties": property_values((name, value))}]},
            tenant.member,
        )
        assert code == "VALIDATION_FAILED", (name, value)


async def test_batch_limits(gql: GraphQLClient, tenant: Tenant) -> None:
    ids = await create_contacts(gql, tenant.member, 1000)
    assert len(set(ids)) == 1000
    too_many: list[dict[str, Any]] = [{"properties": []}] * 1001
    assert (
        await gql.error_code(CREATE, {"type": "contacts", "records": too_many}, tenant.member)
        == "VALIDATION_FAILED"
    )
    updates = [
        {"id": record_id, "properties": property_values(("jobtitle", "CTO"))} for record_id in ids
    ]
    updated = (await gql.data(UPDATE, {"records": updates}, tenant.member))["updateRecords"]
    assert {properties_of(record)["jobtitle"] for record in updated} == {"CTO"}


async def test_pagination_walks_every_record_once_in_creation_order(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    ids = await create_contacts(gql, tenant.member, 25)
    seen: list[str] = []
    after = None
    while True:
        page = (
            await gql.data(LIST, {"type": "contacts", "first": 10, "after": after}, tenant.member)
        )["records"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ids
    for first in (0, 101):
        assert (
            await gql.error_code(LIST, {"type": "contacts", "first": first}, tenant.member)
            == "VALIDATION_FAILED"
        )
    assert (
        await gql.error_code(
            LIST, {"type": "contacts", "first": 5, "after": "garbage!"}, tenant.member
        )
        == "VALIDATION_FAILED"
    )


async def test_total_count_is_of_every_page_under_the_filters(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    ids = await create_contacts(gql, tenant.member, 5)
    await gql.data(
        "mutation($ids: [ID!]!) { deleteRecords(ids: $ids) }", {"ids": ids[:1]}, tenant.member
    )
    count = """
    query($filter: RecordFilterInput) {
      records(objectType: "contacts", first: 2, filter: $filter) { totalCount nodes { id } }
      recycleBin(first: 1) { totalCount }
    }
    """
    everything = await gql.data(count, {}, tenant.member)
    assert everything["records"]["totalCount"] == 4
    assert len(everything["records"]["nodes"]) == 2
    assert everything["recycleBin"]["totalCount"] == 1
    some = await gql.data(count, {"filter": {"ids": ids[:3]}}, tenant.member)
    assert some["records"]["totalCount"] == 2
    email = {"propertyEquals": [{"name": "email", "value": "c3@example.com"}]}
    one = await gql.data(count, {"filter": email}, tenant.member)
    assert one["records"]["totalCount"] == 1


async def test_filters(gql: GraphQLClient, tenant: Tenant, make_tenant: MakeTenant) -> None:
    ids = await create_contacts(gql, tenant.member, 5)
    await gql.data(
        UPDATE,
        {
            "records": [
                {"id": ids[1], "properties": property_values(("jobtitle", "CTO"))},
                {"id": ids[3], "properties": property_values(("jobtitle", "CTO"))},
            ]
        },
        tenant.member,
    )

    async def matching(record_filter: dict[str, Any]) -> list[str]:
        page = (
            await gql.data(
                LIST, {"type": "contacts", "first": 50, "filter": record_filter}, tenant.member
            )
        )["records"]
        return [edge["node"]["id"] for edge in page["edges"]]

    assert await matching({"propertyEquals": [{"name": "jobtitle", "value": "CTO"}]}) == [
        ids[1],
        ids[3],
    ]
    assert await matching(
        {
            "propertyEquals": [
                {"name": "jobtitle", "value": "CTO"},
                {"name": "email", "value": "c3@example.com"},
            ]
        }
    ) == [ids[3]]
    assert await matching({"ids": [ids[0], ids[4]]}) == [ids[0], ids[4]]
    updated_at = (await Record.get(id=ids[3])).updated_at
    assert ids[3] in await matching({"updatedSince": updated_at.isoformat()})
    assert ids[0] not in await matching({"updatedSince": updated_at.isoformat()})
    assert (
        await gql.error_code(
            LIST,
            {
                "type": "contacts",
                "first": 5,
                "filter": {
                    "propertyEquals": [{"name": "x'); DROP TABLE records; --", "value": "1"}]
                },
            },
            tenant.member,
        )
        == "VALIDATION_FAILED"
    )

    async def refused(object_type: str, name: str) -> str:
        record_filter = {"propertyEquals": [{"name": name, "value": "CTO"}]}
        variables = {"type": object_type, "first": 5, "filter": record_filter}
        return await gql.error_code(LIST, variables, tenant.member)

    assert await refused("contacts", "nosuchproperty") == "VALIDATION_FAILED"
    assert await refused("nosuchtype", "jobtitle") == "NOT_FOUND"
    # Another account's property of that name is not this one's.
    other = await make_tenant()
    region = {"objectType": "contacts", "name": "region", "label": "Region", "type": "STRING"}
    await gql.data(CREATE_PROPERTY, {"i": region}, other.admin)
    assert await refused("contacts", "region") == "VALIDATION_FAILED"


async def test_recycle_bin_round_trip(gql: GraphQLClient, tenant: Tenant) -> None:
    ids = await create_contacts(gql, tenant.member, 3)
    moved = await gql.data(
        "mutation($ids: [ID!]!) { deleteRecords(ids: $ids) }", {"ids": ids[:2]}, tenant.member
    )
    assert moved["deleteRecords"] == 2
    live = (await gql.data(LIST, {"type": "contacts", "first": 10}, tenant.member))["records"]
    assert [edge["node"]["id"] for edge in live["edges"]] == [ids[2]]
    recycled = await gql.data(
        "{ recycleBin(first: 10) { edges { node { id deletedAt } } } }", token=tenant.member
    )
    assert {edge["node"]["id"] for edge in recycled["recycleBin"]["edges"]} == set(ids[:2])
    # A recycled record is not editable, and not deletable twice.
    assert (
        await gql.error_code(
            UPDATE,
            {"records": [{"id": ids[0], "properties": property_values(("jobtitle", "x"))}]},
            tenant.member,
        )
        == "NOT_FOUND"
    )

    restored = await gql.data(
        "mutation($ids: [ID!]!) { restoreDeletedRecords(ids: $ids) { id deletedAt "
        "properties { name value } } }",
        {"ids": [ids[0]]},
        tenant.member,
    )
    assert restored["restoreDeletedRecords"][0]["deletedAt"] is None
    assert properties_of(restored["restoreDeletedRecords"][0]) == {"email": "c0@example.com"}
    assert (
        await gql.error_code(
            "mutation($ids: [ID!]!) { restoreDeletedRecords(ids: $ids) { id } }",
            {"ids": [ids[2]]},
            tenant.member,
        )
        == "NOT_FOUND"
    )


async def test_purge_leaves_a_tombstone_and_needs_an_admin(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    ids = await create_contacts(gql, tenant.member, 2)
    purge = "mutation($ids: [ID!]!) { purgeRecords(ids: $ids) }"
    assert await gql.error_code(purge, {"ids": ids}, tenant.member) == "FORBIDDEN"
    assert (await gql.data(purge, {"ids": ids}, tenant.admin))["purgeRecords"] == 2
    assert await Record.filter(id__in=ids).count() == 0
    tombstones = await PurgedRecord.filter(id__in=ids)
    assert {str(t.id) for t in tombstones} == set(ids)
    assert await gql.error_code(GET, {"id": ids[0]}, tenant.member) == "NOT_FOUND"


async def test_associations(gql: GraphQLClient, tenant: Tenant) -> None:
    contact, company = await create_contacts(gql, tenant.member, 2)
    associate = """mutation($from: ID!, $to: ID!) {
      associateRecords(fromId: $from, toId: $to, label: "works at") { fromId toId label } }"""
    made = await gql.data(associate, {"from": contact, "to": company}, tenant.member)
    assert made["associateRecords"] == {"fromId": contact, "toId": company, "label": "works at"}
    again = await gql.data(associate, {"from": contact, "to": company}, tenant.member)
    assert again == made
    listed = await gql.data(
        "query($id: ID!) { recordAssociations(id: $id) { toId } }", {"id": contact}, tenant.member
    )
    assert listed["recordAssociations"] == [{"toId": company}]
    assert (
        await gql.error_code(associate, {"from": contact, "to": contact}, tenant.member)
        == "VALIDATION_FAILED"
    )


async def test_filters_are_answered_from_indexes_on_postgresql(
    db_kind: str, tenant: Tenant
) -> None:
    if db_kind != "postgres":
        pytest.skip("SQLite has no index of the properties; its filters read the type's records")
    # Enough contacts, as wide as a real account's (about 20 values: a few hundred bytes), that
    # reading them all costs more than a lookup, whatever the rest of the suite left in the
    # table: the page's plan cannot see the values it looks up, and guesses one record in a
    # hundred holds them (with 3,000 contacts, or narrow ones, it read the table instead).
    notes = "n" * 600
    values = [
        {"email": f"c{i}@example.com", "jobtitle": f"Title {i % 50}", "notes": notes}
        for i in range(20_000)
    ]
    [contact, *_] = await seed_records(tenant, "contacts", values)
    await analyze("records")

    async def plan(record_filter: RecordFilter) -> str:
        contacts = Record.filter(
            account_id=tenant.account.id, object_type_id=contact.object_type_id, deleted_at=None
        )
        return await query_plan(filtered(contacts, record_filter).order_by("id").limit(51))

    # A page's one statement: its second branch (run when its walk of the id order falls short)
    # reads the properties' index alone, not intersected with the type's.
    page = record_pages.statement([], 51)
    wanted = json.dumps({"jobtitle": "Title 7", "email": "c7@example.com"})
    page_plan = await statement_plan(
        page, wanted, tenant.account.id, contact.object_type_id, record_pages.BEFORE_ANY_ID
    )
    matching = r"Bitmap Index Scan on records_live_properties .*\n.*Index Cond: \(properties @>"
    assert re.search(matching, page_plan)
    assert "BitmapAnd" not in page_plan
    # An index lookup of the id (the primary key's, or the type's with the id).
    assert re.search(r"Index Cond: .*\bid = ", await plan(RecordFilter(ids=[contact.id])))
    assert "Index Cond: (updated_at >=" in await plan(RecordFilter(updated_since=now()))


@pytest.mark.parametrize("sample", ["none", "sampled", "stale"])
async def test_filtered_pages_beyond_the_window_of_the_id_order(
    gql: GraphQLClient, tenant: Tenant, db_kind: str, sample: str
) -> None:
    """PostgreSQL first walks WINDOW records in id order, then asks the properties' index, or
    asks the index first for a value its type's sample says is rare: a value frequent early and
    one held only beyond the window both page through in order, whatever the sample says (a
    stale one calls the frequent value rare and the other common)."""
    if sample != "none" and db_kind != "postgres":
        pytest.skip("SQLite keeps no samples")
    count = record_pages.WINDOW + 60
    values = [
        {"email": f"c{i}@example.com", "jobtitle": "Early" if i % 7 == 0 else "Other"}
        for i in range(count)
    ]
    for i in (record_pages.WINDOW + 5, record_pages.WINDOW + 30, count - 1):
        values[i]["jobtitle"] = "Late"
    records = await seed_records(tenant, "contacts", values)
    ids = [str(record.id) for record in records]
    if sample != "none":
        await sample_now(records[0].object_type_id)
    if sample == "stale":
        await replace_shares(records[0].object_type_id, {("jobtitle", "Late"): 0.5})

    async def pages(record_filter: dict[str, Any]) -> list[str]:
        seen: list[str] = []
        after = None
        while True:
            variables = {"type": "contacts", "first": 40, "after": after, "filter": record_filter}
            page = (await gql.data(LIST, variables, tenant.member))["records"]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            after = page["pageInfo"]["endCursor"]

    def holding(title: str) -> list[str]:
        return [ids[i] for i in range(count) if values[i]["jobtitle"] == title]

    def equals(title: str) -> dict[str, Any]:
        return {"propertyEquals": [{"name": "jobtitle", "value": title}]}

    assert await pages(equals("Early")) == holding("Early")
    assert await pages(equals("Late")) == holding("Late")
    assert await pages(equals("Nobody")) == []
    late = holding("Late")
    assert await pages({**equals("Late"), "ids": [ids[0], late[1], late[2]]}) == late[1:]
    updated_at = records[-1].updated_at
    assert late[2] in await pages({**equals("Late"), "updatedSince": updated_at.isoformat()})
