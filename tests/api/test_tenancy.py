"""Another account's ids behave exactly like ids that never existed."""

import uuid

import pytest

from models.accounts import Role
from models.crm import Record
from tests.support.graphql import GraphQLClient, errors_with_id_hidden
from tests.support.records import seed_records
from tests.support.tenants import MakeTenant

OPERATIONS = {
    "record": "query($id: ID!) { record(id: $id) { id } }",
    "recordAssociations": "query($id: ID!) { recordAssociations(id: $id) { id } }",
    "updateRecords": """mutation($id: ID!) { updateRecords(records: [
        {id: $id, properties: [{name: "email", value: "x@example.com"}]}]) { id } }""",
    "deleteRecords": "mutation($id: ID!) { deleteRecords(ids: [$id]) }",
    "restoreDeletedRecords": "mutation($id: ID!) { restoreDeletedRecords(ids: [$id]) { id } }",
    "purgeRecords": "mutation($id: ID!) { purgeRecords(ids: [$id]) }",
    "associateFrom": """mutation($id: ID!, $mine: ID!) {
        associateRecords(fromId: $id, toId: $mine) { id } }""",
    "associateTo": """mutation($id: ID!, $mine: ID!) {
        associateRecords(fromId: $mine, toId: $id) { id } }""",
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("deleted", [False, True], ids=["live", "recycled"])
async def test_other_accounts_records_are_not_found(
    gql: GraphQLClient, make_tenant: MakeTenant, operation: str, deleted: bool
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    [own] = await seed_records(mine, "contacts", [{"email": "me@example.com"}])
    [other] = await seed_records(
        theirs, "contacts", [{"email": "them@example.com"}], recycled=deleted
    )
    never = str(uuid.uuid4())
    query = OPERATIONS[operation]

    seen = await gql.raw(query, {"id": str(other.id), "mine": str(own.id)}, mine.admin)
    unknown = await gql.raw(query, {"id": never, "mine": str(own.id)}, mine.admin)
    assert seen["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert errors_with_id_hidden(seen, str(other.id)) == errors_with_id_hidden(unknown, never)
    stored = await Record.get(id=other.id)
    assert stored.properties == {"email": "them@example.com"}
    assert (stored.deleted_at is not None) == deleted


async def test_filters_and_listings_never_show_other_accounts(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    [other] = await seed_records(theirs, "contacts", [{"email": "them@example.com"}])
    await seed_records(theirs, "contacts", [{"email": "binned@example.com"}], recycled=True)
    listed = await gql.data(
        'query($ids: [ID!]) { records(objectType: "contacts", first: 10, filter: {ids: $ids})'
        " { edges { node { id } } } recycleBin(first: 10) { edges { node { id } } } }",
        {"ids": [str(other.id)]},
        mine.member,
    )
    assert listed == {"records": {"edges": []}, "recycleBin": {"edges": []}}


async def test_other_accounts_users_are_not_found(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    query = "mutation($id: ID!) { setUserRole(userId: $id, role: ADMIN) { id } }"
    target = str(theirs.users[Role.MEMBER].id)
    assert await gql.error_code(query, {"id": target}, mine.super_admin) == "NOT_FOUND"
    await theirs.users[Role.MEMBER].refresh_from_db()
    assert theirs.users[Role.MEMBER].role == Role.MEMBER
    users = await gql.data("{ users { email } }", token=mine.super_admin)
    assert {u["email"] for u in users["users"]} == {u.email for u in mine.users.values()}
