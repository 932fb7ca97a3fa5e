"""The import of a backup ZIP holding associations.csv brings back the associations between the
records it restores: counted in its plan, added with the records, removed again by its revert
(only those it added), refused where a record is missing, and never across accounts."""

from typing import Any
from uuid import uuid4

import httpx

from models.crm import Record
from models.restores import RestoreStatus
from tests.support.associations import (
    associate,
    associations_of,
    link,
    unlink,
    with_association_rows,
)
from tests.support.backups import backup_file
from tests.support.graphql import GraphQLClient
from tests.support.imports import planned_upload
from tests.support.records import purge, seed_records
from tests.support.restores import REVERT, restore_finished, revert_planned, start
from tests.support.tenants import MakeTenant, Tenant
from tests.support.two_factor import reauthenticated, step_up

PLANNED = """query($id: ID!) { restore(id: $id) { status failureReason plan {
  associationsToAdd associationsPresent associationsRefused associationsToRemove
  guidance dataChangeNotice } } }"""
COUNTS = """query($id: ID!) { restore(id: $id) { counts {
  associationsAdded associationsPresent associationsRefused associationsRemoved } } }"""


def _plan_counts(shown: dict[str, Any]) -> tuple[int, int, int, int]:
    plan = shown["plan"]
    return (
        plan["associationsToAdd"],
        plan["associationsPresent"],
        plan["associationsRefused"],
        plan["associationsToRemove"],
    )


async def _planned(gql: GraphQLClient, tenant: Tenant, plan_id: str) -> dict[str, Any]:
    shown: dict[str, Any] = (await gql.data(PLANNED, {"id": plan_id}, tenant.super_admin))[
        "restore"
    ]
    assert shown["status"] == "PLANNED", shown["failureReason"]
    return shown


async def _counts(gql: GraphQLClient, tenant: Tenant, restore_id: str) -> tuple[int, ...]:
    counts = (await gql.data(COUNTS, {"id": restore_id}, tenant.super_admin))["restore"]["counts"]
    return tuple(counts.values())


async def test_an_import_brings_associations_back_and_its_revert_removes_them(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    account = tenant.account.id
    ann, bob, gone, dan = await seed_records(
        tenant,
        "contacts",
        [{"firstname": "Ann"}, {"firstname": "Bob"}, {"firstname": "Gone"}, {"firstname": "Dan"}],
    )
    [acme] = await seed_records(tenant, "companies", [{"name": "Acme"}])
    lost = [link(ann, acme, "employee"), link(ann, bob, "knows, well"), link(dan, acme, "client")]
    kept = link(bob, acme)
    await associate(account, [*lost, kept, link(gone, acme, "former")])
    content = await backup_file(gql, http, tenant.super_admin, associations=True)

    # Since the backup: three associations removed, Dan in the recycle bin, and a contact
    # purged (its association with it), which no import brings back.
    await unlink(lost)
    await Record.filter(id=dan.id).update(deleted_at=dan.created_at)
    await purge([gone])
    assert await associations_of(account) == {kept}

    planned = await planned_upload(http, gql, tenant.super_admin, content)
    shown = await _planned(gql, tenant, planned["id"])
    assert _plan_counts(shown) == (3, 1, 1, 0)
    assert "3 associations between the records are added" in shown["plan"]["dataChangeNotice"]
    assert any("1 association in the file left out" in line for line in shown["plan"]["guidance"])
    assert await associations_of(account) == {kept}, "a plan writes nothing"

    await step_up(tenant)
    await start(gql, tenant.super_admin, planned["id"])
    assert (await restore_finished(planned["id"])).status == RestoreStatus.SUCCEEDED
    assert await associations_of(account) == {*lost, kept}
    assert await _counts(gql, tenant, planned["id"]) == (3, 1, 1, 0)

    # Added by hand since: the revert leaves it, as it removes only what the import added.
    by_hand = link(bob, ann, "friend")
    await associate(account, [by_hand])
    revert = await revert_planned(gql, tenant.super_admin, planned["id"])
    assert revert["status"] == "PLANNED", revert["failureReason"]
    shown = await _planned(gql, tenant, revert["id"])
    assert _plan_counts(shown) == (0, 0, 0, 3)
    assert "3 associations it added are removed" in shown["plan"]["dataChangeNotice"]
    await reauthenticated(tenant.super_admin)
    await gql.data(REVERT, {"planId": revert["id"]}, tenant.super_admin)
    assert (await restore_finished(revert["id"])).status == RestoreStatus.SUCCEEDED
    assert await _counts(gql, tenant, revert["id"]) == (0, 0, 0, 3)
    assert await associations_of(account) == {kept, by_hand}


async def test_associations_never_reach_another_accounts_records(
    http: httpx.AsyncClient, gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    mine, theirs = await make_tenant(), await make_tenant()
    ann, bob = await seed_records(mine, "contacts", [{"firstname": "Ann"}, {"firstname": "Bob"}])
    [their_record] = await seed_records(theirs, "contacts", [{"firstname": "Theirs"}])
    await associate(theirs.account.id, [link(their_record, their_record, "self")])
    before = await associations_of(theirs.account.id)
    backup = await backup_file(gql, http, mine.super_admin, associations=True)
    rows = [
        [str(ann.id), str(bob.id), "colleague"],
        # Another account's record, an id of no record, and one that is no id at all.
        [str(ann.id), str(their_record.id), "across"],
        [str(their_record.id), str(their_record.id), "self"],
        [str(uuid4()), str(bob.id), ""],
        ["not an id", str(bob.id), ""],
    ]
    content = with_association_rows(backup, rows)

    planned = await planned_upload(http, gql, mine.super_admin, content)
    assert _plan_counts(await _planned(gql, mine, planned["id"])) == (1, 0, 4, 0)
    await step_up(mine)
    await start(gql, mine.super_admin, planned["id"])
    assert (await restore_finished(planned["id"])).status == RestoreStatus.SUCCEEDED
    assert await associations_of(mine.account.id) == {link(ann, bob, "colleague")}
    assert await associations_of(theirs.account.id) == before

    # Restored as new records in the other account, the file's ids name none of its records:
    # the associations are left out.
    as_new = await planned_upload(http, gql, theirs.super_admin, content, as_new_records="true")
    assert _plan_counts(await _planned(gql, theirs, as_new["id"])) == (0, 0, 0, 0)
