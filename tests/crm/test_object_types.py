import pytest

from services.crm import STANDARD_OBJECT_TYPES, check_property_name
from services.crm.catalog import PropertySpec
from tests.support.graphql import GraphQLClient, only_error
from tests.support.tenants import Tenant

OBJECT_TYPES = (
    "{ objectTypes { name singularLabel isCustom properties { name type sensitive options } } }"
)
CREATE_PROPERTY = """
mutation($input: CreatePropertyInput!) {
  createProperty(input: $input) { name type options sensitive }
}
"""
CREATE_TYPE = """
mutation($input: CreateObjectTypeInput!) {
  createCustomObjectType(input: $input) { name pluralLabel isCustom properties { name } }
}
"""
PETS = {"name": "pets", "singularLabel": "Pet", "pluralLabel": "Pets"}


async def test_every_account_has_the_eight_standard_types(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    types = (await gql.data(OBJECT_TYPES, token=tenant.member))["objectTypes"]
    assert {t["name"] for t in types} == {
        "contacts",
        "companies",
        "deals",
        "tickets",
        "products",
        "calls",
        "conversations",
        "tasks",
    }
    contacts = next(t for t in types if t["name"] == "contacts")
    assert contacts["singularLabel"] == "Contact"
    assert any(p["sensitive"] for p in contacts["properties"])


async def test_create_property_and_use_it(gql: GraphQLClient, tenant: Tenant) -> None:
    made = await gql.data(
        CREATE_PROPERTY,
        {
            "input": {
                "objectType": "deals",
                "name": "region",
                "label": "Region",
                "type": "ENUMERATION",
                "options": ["emea", "amer"],
                "sensitive": True,
            }
        },
        tenant.admin,
    )
    assert made["createProperty"] == {
        "name": "region",
        "type": "ENUMERATION",
        "options": ["emea", "amer"],
        "sensitive": True,
    }
    create = """mutation($v: String) { createRecords(objectType: "deals",
      records: [{properties: [{name: "region", value: $v}]}]) { id } }"""
    await gql.data(create, {"v": "emea"}, tenant.member)
    assert await gql.error_code(create, {"v": "apac"}, tenant.member) == "VALIDATION_FAILED"


async def test_property_rules(gql: GraphQLClient, tenant: Tenant) -> None:
    base = {"objectType": "deals", "name": "score", "label": "Score", "type": "NUMBER"}
    assert await gql.error_code(CREATE_PROPERTY, {"input": base}, tenant.member) == "FORBIDDEN"
    await gql.data(CREATE_PROPERTY, {"input": base}, tenant.admin)
    for bad in (
        base,  # exists already
        {**base, "name": "Bad Name"},
        {**base, "name": "tier", "options": ["a"]},
        {**base, "name": "tier", "type": "ENUMERATION", "options": []},
        {**base, "name": "tier", "type": "ENUMERATION", "options": ["a", "a"]},
    ):
        assert await gql.error_code(CREATE_PROPERTY, {"input": bad}, tenant.admin) == (
            "VALIDATION_FAILED"
        ), bad
    assert (
        await gql.error_code(
            CREATE_PROPERTY, {"input": {**base, "objectType": "nope"}}, tenant.admin
        )
        == "NOT_FOUND"
    )


async def test_custom_object_type(gql: GraphQLClient, tenant: Tenant) -> None:
    made = await gql.data(
        CREATE_TYPE,
        {"input": PETS},
        tenant.super_admin,
    )
    assert made["createCustomObjectType"] == {
        "name": "pets",
        "pluralLabel": "Pets",
        "isCustom": True,
        "properties": [],
    }
    assert (
        await gql.error_code(
            CREATE_TYPE,
            {"input": PETS},
            tenant.super_admin,
        )
        == "VALIDATION_FAILED"
    )
    assert (
        await gql.error_code(
            CREATE_TYPE,
            {
                "input": {
                    "name": "cars",
                    "singularLabel": "Car",
                    "pluralLabel": "Cars",
                }
            },
            tenant.member,
        )
        == "FORBIDDEN"
    )
    await gql.data(
        CREATE_PROPERTY,
        {
            "input": {
                "objectType": "pets",
                "name": "species",
                "label": "Species",
                "type": "STRING",
            }
        },
        tenant.admin,
    )
    created = await gql.data(
        """mutation { createRecords(objectType: "pets",
      records: [{properties: [{name: "species", value: "cat"}]}]) { properties { value } } }""",
        token=tenant.member,
    )
    assert created["createRecords"][0]["properties"] == [{"value": "cat"}]


@pytest.mark.parametrize("object_type", ["deals", "pets"])
async def test_a_property_cannot_be_called_id(
    gql: GraphQLClient, tenant: Tenant, object_type: str
) -> None:
    await gql.data(CREATE_TYPE, {"input": PETS}, tenant.super_admin)
    reserved = {"objectType": object_type, "name": "id", "label": "External id", "type": "STRING"}
    error = only_error(await gql.raw(CREATE_PROPERTY, {"input": reserved}, tenant.admin))
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": "name"}
    assert "reserved" in error["message"]
    types = (await gql.data(OBJECT_TYPES, token=tenant.member))["objectTypes"]
    assert not [t for t in types if "id" in {p["name"] for p in t["properties"]}]


async def test_no_object_type_can_be_called_associations(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    named = {**PETS, "name": "associations"}
    error = only_error(await gql.raw(CREATE_TYPE, {"input": named}, tenant.super_admin))
    assert error["extensions"] == {"code": "VALIDATION_FAILED", "field": "name"}
    assert "reserved" in error["message"]


@pytest.mark.parametrize(
    "spec",
    [prop for object_type in STANDARD_OBJECT_TYPES for prop in object_type.properties],
    ids=lambda spec: spec.name,
)
def test_the_catalogue_uses_no_reserved_name(spec: PropertySpec) -> None:
    check_property_name(spec.name)
