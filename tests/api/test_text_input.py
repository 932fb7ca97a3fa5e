"""Text a database cannot store, or longer than its column, is refused as bad input (never an
internal error), on SQLite and PostgreSQL alike."""

from typing import Any

import pytest

from tests.support.graphql import GraphQLClient, only_error, refused_field
from tests.support.records import property_values, seed_records
from tests.support.tenants import Tenant

NUL = "Ada\x00Lovelace"
LONE_SURROGATE = "Ada\ud800"
CREATE_CONTACTS = """mutation($records: [NewRecordInput!]!) {
  createRecords(objectType: "contacts", records: $records) { id } }"""
CREATE_PROPERTY = """mutation($input: CreatePropertyInput!) {
  createProperty(input: $input) { name } }"""
CREATE_OBJECT_TYPE = """mutation($input: CreateObjectTypeInput!) {
  createCustomObjectType(input: $input) { name } }"""
RECORDS_WHERE = """query($type: String!, $name: String!, $value: String!) {
  records(objectType: $type, filter: {propertyEquals: [{name: $name, value: $value}]}) {
    nodes { id } } }"""
ASSOCIATE = """mutation($from: ID!, $to: ID!, $label: String!) {
  associateRecords(fromId: $from, toId: $to, label: $label) { id } }"""
INVITE = """mutation($email: String!, $name: String!) {
  inviteUser(email: $email, role: MEMBER, name: $name) { invitationToken } }"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { token } }"""
ACCEPT = """mutation($token: String!) {
  acceptInvitation(token: $token, password: "long enough password") { token } }"""


@pytest.mark.parametrize("value", [NUL, LONE_SURROGATE])
async def test_a_record_value_that_cannot_be_stored_is_a_problem_of_its_index_and_property(
    gql: GraphQLClient, tenant: Tenant, value: str
) -> None:
    records = [{"properties": property_values(("firstname", "Ada"))}] * 2
    records[1] = {"properties": property_values(("lastname", value))}
    body = await gql.raw(CREATE_CONTACTS, {"records": records}, tenant.super_admin)
    error = only_error(body)
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    [problem] = error["extensions"]["problems"]
    assert (problem["index"], problem["property"]) == (1, "lastname")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"label": "x" * 201}, "label"),
        ({"label": NUL}, "label"),
        ({"label": LONE_SURROGATE}, "label"),
        ({"type": "ENUMERATION", "options": ["a", NUL]}, "options"),
    ],
)
async def test_a_property_label_or_option_that_cannot_be_stored_is_refused(
    gql: GraphQLClient, tenant: Tenant, changes: dict[str, Any], field: str
) -> None:
    prop = {"objectType": "contacts", "name": "nickname", "label": "Nickname", "type": "STRING"}
    body = await gql.raw(CREATE_PROPERTY, {"input": prop | changes}, tenant.admin)
    assert refused_field(body) == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"singularLabel": "x" * 101}, "singularLabel"),
        ({"pluralLabel": NUL}, "pluralLabel"),
    ],
)
async def test_an_object_type_label_that_cannot_be_stored_is_refused(
    gql: GraphQLClient, tenant: Tenant, changes: dict[str, str], field: str
) -> None:
    labels = {"name": "projects", "singularLabel": "Project", "pluralLabel": "Projects"}
    body = await gql.raw(CREATE_OBJECT_TYPE, {"input": labels | changes}, tenant.admin)
    assert refused_field(body) == field


async def test_an_object_type_name_longer_than_any_is_not_found(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    variables = {"type": "x" * 65, "name": "firstname", "value": "Ada"}
    assert await gql.error_code(RECORDS_WHERE, variables, tenant.member) == "NOT_FOUND"


async def test_a_filter_value_that_cannot_be_stored_is_refused(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    variables = {"type": "contacts", "name": "firstname", "value": NUL}
    body = await gql.raw(RECORDS_WHERE, variables, tenant.member)
    assert refused_field(body) == "propertyEquals"


async def test_an_association_label_that_cannot_be_stored_is_refused(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    first, second = await seed_records(tenant, "contacts", [{}, {}])
    variables = {"from": str(first.id), "to": str(second.id), "label": "x" * 101}
    assert refused_field(await gql.raw(ASSOCIATE, variables, tenant.member)) == "label"


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"email": "ada\x00@example.com", "name": "Ada"}, "email"),
        ({"email": "ada@example.com", "name": LONE_SURROGATE}, "name"),
        ({"email": "ada@example.com", "name": "x" * 201}, "name"),
    ],
)
async def test_an_invitation_with_text_that_cannot_be_stored_is_refused(
    gql: GraphQLClient, tenant: Tenant, variables: dict[str, str], field: str
) -> None:
    assert refused_field(await gql.raw(INVITE, variables, tenant.super_admin)) == field


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"email": "ada\x00@example.com", "password": "whatever"}, "email"),
        ({"email": "a" * 321, "password": "whatever"}, "email"),
        ({"email": "ada@example.com", "password": LONE_SURROGATE}, "password"),
    ],
)
async def test_a_login_with_text_no_user_can_have_is_refused(
    gql: GraphQLClient, variables: dict[str, str], field: str
) -> None:
    assert refused_field(await gql.raw(LOGIN, variables)) == field


async def test_an_invitation_token_that_cannot_be_encoded_is_refused(gql: GraphQLClient) -> None:
    assert refused_field(await gql.raw(ACCEPT, {"token": LONE_SURROGATE})) == "token"
