"""Records named as people name them, in bulk: a contact by name or else email, a deal by its
name, a custom object by its first property; a sensitive value never names anything."""

from uuid import uuid4

from models.crm import ObjectType
from services.crm import names_of
from tests.support.records import add_property, seed_records
from tests.support.tenants import MakeTenant, Tenant


async def test_records_are_named_by_their_display_property(tenant: Tenant) -> None:
    account = tenant.account.id
    named, emailed, blank = await seed_records(
        tenant,
        "contacts",
        [
            {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"},
            {"email": "bob@example.com"},
            {"jobtitle": "Clerk"},
        ],
    )
    [deal] = await seed_records(tenant, "deals", [{"dealname": "Big one"}], recycled=True)
    await ObjectType.create(
        account_id=account, name="pets", singular_label="Pet", plural_label="Pets", is_custom=True
    )
    await add_property(tenant, "pets", "nickname", "Nickname", sensitive=True)
    await add_property(tenant, "pets", "species", "Species")
    [pet] = await seed_records(tenant, "pets", [{"nickname": "Rex", "species": "dog"}])

    ids = [named.id, emailed.id, blank.id, deal.id, pet.id, uuid4()]
    names = await names_of(account, {"contacts", "deals", "pets"}, ids)

    assert [names.record(record_id) for record_id in ids] == [
        "Ada Lovelace",
        "bob@example.com",
        None,
        "Big one",  # in the recycle bin: still named
        None,  # its primary (first) property is sensitive
        None,  # purged or never there
    ]
    assert names.of_values("deals", {"dealname": "From a file"}) == "From a file"
    assert names.value("deals", "dealstage", "closedlost") == "Closed lost"
    assert names.value("deals", "dealname", "closedlost") == "closedlost", "not an enumeration"


async def test_another_accounts_records_are_not_named(
    tenant: Tenant, make_tenant: MakeTenant
) -> None:
    [contact] = await seed_records(tenant, "contacts", [{"email": "mine@example.com"}])
    other = await make_tenant()
    names = await names_of(other.account.id, {"contacts"}, [contact.id])
    assert names.record(contact.id) is None
