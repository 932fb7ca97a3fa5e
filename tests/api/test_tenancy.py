"""Another account's ids behave exactly like ids that never existed."""

import json
import uuid
from typing import Any

import pytest

from models.accounts import Role
from models.crm import Record
from tests.conftest import GraphQLClient, MakeTenant, Tenant

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


async def _contact(tenant: Tenant, email: str, *, deleted: bool = False) -> Record:
    contacts = await tenant.account.object_types.filter(name="contacts").first()
    assert contacts is not None
    record = await Record.create(
        account=tenant.account, object_type=contacts, properties={"email": email}
    )
    if deleted:
        record.deleted_at = record.created_at
        await record.save()
    return record


def _normalised(body: dict[str, Any], record_id: str) -> Any:
    return json.loads(json.dumps(body["errors"]).replace(record_id, "<id>"))


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("deleted", [False, True], ids=["live", "recycled"])
async def test_other_accounts_records_are_not_found(
    gql: GraphQLClient, make_tenant: MakeTenant, operation: str, deleted: bool
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    own = await _contact(mine, "me@example.com")
    other = await _contact(theirs, "them@example.com", deleted=deleted)
    never = str(uuid.uuid4())
    query = OPERATIONS[operation]

    seen = await gql.raw(query, {"id": str(other.id), "mine": str(own.id)}, mine.admin)
    unknown = await gql.raw(query, {"id": never, "mine": str(own.id)}, mine.admin)
    assert seen["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert _normalised(seen, str(other.id)) == _normalised(unknown, never)
    await other.refresh_from_db()
    assert other.properties == {"email": "them@example.com"}
    assert (other.deleted_at is not None) == deleted


async def test_filters_and_listings_never_show_other_accounts(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    other = await _contact(theirs, "them@example.com")
    await _contact(theirs, "binned@example.com", deleted=True)
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
    users = await gql.data("{ users { email } }", token=mine.member)
    assert {u["email"] for u in users["users"]} == {u.email for u in mine.users.values()}
