"""The sampled shares of property values, and how a filtered page reads by them (PostgreSQL;
SQLite keeps no samples, and its pages are tested alike in test_records.py)."""

import json
import re
from datetime import timedelta
from uuid import UUID

import pytest
from tortoise import connections

from models.crm import ObjectType
from models.restores import Restore, RestoreStatus
from services import crm
from services.core.clock import now
from services.crm import record_pages, value_shares
from services.restores import job as restore_job
from tests.support.graphql import GraphQLClient
from tests.support.query_plans import statement_plan
from tests.support.records import seed_records
from tests.support.restores import queued_restore
from tests.support.tenants import MakeTenant, Tenant
from tests.support.value_shares import past_any_pass, replace_shares, sample, shares_of

# More contacts than a window: a type sampled under one walks first whatever its shares.
CONTACTS = record_pages.WINDOW + 200


@pytest.fixture(autouse=True)
def _postgres_only(db_kind: str) -> None:
    if db_kind != "postgres":
        pytest.skip("SQLite keeps no samples: it has no index of the properties to choose")


async def _contacts(tenant: Tenant, count: int = CONTACTS) -> UUID:
    """`count` contacts, one email each, a third of them customers; their type's id."""
    values = [
        {"email": f"c{i}@example.com", "lifecyclestage": "customer" if i % 3 == 0 else "lead"}
        for i in range(count)
    ]
    [first, *_] = await seed_records(tenant, "contacts", values)
    return first.object_type_id


async def _sampled(object_type_id: UUID) -> bool:
    rows = await connections.get("default").execute_query_dict(
        f"SELECT records FROM {value_shares.SAMPLES} WHERE object_type_id = $1",
        [object_type_id],
    )
    return bool(rows)


async def test_a_sample_keeps_the_values_held_by_one_record_in_a_thousand(
    tenant: Tenant,
) -> None:
    contacts = await _contacts(tenant)
    await crm.forget_value_samples(tenant.account.id)
    assert not await _sampled(contacts)

    sampled_at = await sample(contacts)
    # The type is smaller than a sample: every record was drawn. No email is held by enough.
    customers = len(range(0, CONTACTS, 3))
    assert await shares_of(contacts) == {
        ("lifecyclestage", "customer"): pytest.approx(customers / CONTACTS),
        ("lifecyclestage", "lead"): pytest.approx(1 - customers / CONTACTS),
    }
    # Claimed: sampled again only once RESAMPLE_AFTER has passed.
    assert not await value_shares.sample_type(contacts, sampled_at)
    later = sampled_at + value_shares.RESAMPLE_AFTER + timedelta(seconds=1)
    assert await value_shares.sample_type(contacts, later)


async def _page_plan(tenant: Tenant, contacts: UUID, equals: dict[str, str]) -> str:
    """The first page of `equals`, run and explained."""
    return await statement_plan(
        "(ANALYZE, COSTS OFF, TIMING OFF) " + record_pages.statement([], 51),
        json.dumps(equals),
        tenant.account.id,
        contacts,
        record_pages.BEFORE_ANY_ID,
    )


def _ran(plan: str, node: str) -> str | None:
    """The rows the plan's first node named `node` read; None when it never ran."""
    found = re.search(rf"{node}.*?\((actual rows=\d+|never executed)", plan, re.DOTALL)
    assert found, plan
    return None if found.group(1) == "never executed" else found.group(1)


async def test_a_pass_samples_until_none_is_due_or_its_budget_is_spent(
    make_tenant: MakeTenant,
) -> None:
    """More due types than a pass once took (20), all small: one pass samples them all; and a
    pass whose budget is spent stops after the type it is sampling."""
    tenants = [await make_tenant() for _ in range(3)]
    types = [
        object_type.id
        for tenant in tenants
        for object_type in await ObjectType.filter(account_id=tenant.account.id)
    ]
    assert len(types) > 20
    for tenant in tenants:
        await crm.forget_value_samples(tenant.account.id)
    await value_shares.sample_due_types(now(), budget=timedelta(minutes=1))
    assert all([await _sampled(object_type_id) for object_type_id in types])

    # Every type is due at a time past any pass.
    assert await value_shares.sample_due_types(past_any_pass(), budget=timedelta(0)) == 1


async def _walked(tenant: Tenant, contacts: UUID, equals: dict[str, str]) -> bool:
    """Whether the page of `equals` walked the id order (its walk's scan ran)."""
    return _ran(await _page_plan(tenant, contacts, equals), "CTE walked") is not None


async def test_a_rare_value_goes_to_the_index_first_once_its_type_is_sampled(
    tenant: Tenant,
) -> None:
    contacts = await _contacts(tenant)
    rare = {"email": "c7@example.com"}
    common = {"lifecyclestage": "customer"}
    await crm.forget_value_samples(tenant.account.id)
    assert await _walked(tenant, contacts, rare)  # not sampled: as before
    await sample(contacts)
    assert not await _walked(tenant, contacts, rare)
    assert await _walked(tenant, contacts, common)
    # Both values at once are as rare as the rarer.
    assert not await _walked(tenant, contacts, rare | common)


async def test_a_stale_sample_costs_a_common_value_a_bounded_probe_not_a_sort(
    tenant: Tenant,
) -> None:
    """A value the sample calls rare but which has become common since: the index is asked for
    at most PROBED of its matches, and the page walks the id order, as for a common value."""
    contacts = await _contacts(tenant, 3 * record_pages.PROBED + 30)
    customers = {"lifecyclestage": "customer"}
    await sample(contacts)
    plan = await _page_plan(tenant, contacts, customers)
    assert _ran(plan, "CTE probed") is None
    assert _ran(plan, "CTE walked") is not None

    await replace_shares(contacts, {})
    plan = await _page_plan(tenant, contacts, customers)
    assert _ran(plan, "CTE probed") == f"actual rows={record_pages.PROBED}"
    assert _ran(plan, "CTE walked") is not None
    # The read of every match, sorted, never ran.
    assert _ran(plan, "Subquery Scan on matching ") is None


async def test_a_restore_forgets_the_samples_of_its_account(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    restore_id, _ = await queued_restore(gql, tenant, 10)
    contacts = await _contacts(tenant)
    await sample(contacts)
    await restore_job.run_restore(restore_id)
    assert (await Restore.get(id=restore_id)).status == RestoreStatus.SUCCEEDED
    assert not await _sampled(contacts)
