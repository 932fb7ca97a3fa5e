"""Comparisons go with the backups they compare: the expiry pass that expires a backup deletes
the comparisons from and to it, their differing records with them, but keeps one a restore was
limited to, and every other comparison."""

from datetime import timedelta
from uuid import UUID

from models.backups import Backup, BackupStatus
from models.comparisons import ComparedRecord, Comparison
from services.backups import expire_backups
from services.core.clock import now
from tests.support.backups import backed_up, let_quota_window_pass
from tests.support.comparisons import compared, watched
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_deals, set_values
from tests.support.restores import deal, planned_chosen
from tests.support.tenants import MakeTenant, Tenant


async def _backup(gql: GraphQLClient, tenant: Tenant) -> str:
    await let_quota_window_pass(tenant.account)
    return await backed_up(gql, tenant)


async def _found(comparison_id: str | UUID) -> int:
    return await ComparedRecord.filter(comparison_id=comparison_id).count()


async def test_an_expired_backup_takes_its_comparisons_with_it(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    ids = await seed_deals(tenant, [deal(i) for i in range(4)])
    first = await _backup(gql, tenant)
    await set_values(ids[0], {"amount": "0"})
    second = await _backup(gql, tenant)
    await set_values(ids[1], {"amount": "0"})
    third = await _backup(gql, tenant)
    # Made after each backup: first to second, second to third.
    gone = [(await watched(second)).id, (await watched(third)).id]
    asked = await compared(gql, tenant.super_admin, first, second)
    gone.append(UUID(asked["id"]))
    # Neither side is the second backup.
    kept = [UUID((await compared(gql, tenant.super_admin, first, third))["id"])]
    kept.append(UUID((await compared(gql, tenant.super_admin, first))["id"]))
    # A restore from the second backup limited to the records it found since.
    restored_through = (await compared(gql, tenant.super_admin, second))["id"]
    plan = await planned_chosen(gql, tenant, backupId=second, comparisonId=restored_through)
    assert plan["status"] == "PLANNED"
    kept.append(UUID(restored_through))
    await seed_deals(other, [deal(1)])
    others = [UUID((await compared(gql, other.super_admin, await _backup(gql, other)))["id"])]
    assert all([await _found(each) for each in gone + kept[:2]])

    # Only the second backup is due.
    await Backup.filter(id=second).update(expires_at=now() - timedelta(seconds=1))
    assert await expire_backups() >= 1

    assert (await Backup.get(id=second)).status == BackupStatus.EXPIRED
    assert not await Comparison.filter(id__in=gone).exists()
    assert not await ComparedRecord.filter(comparison_id__in=gone).exists()
    remaining = await Comparison.filter(id__in=kept + others).values_list("id", flat=True)
    assert sorted(remaining) == sorted(kept + others)
    assert [await _found(each) for each in kept[:2]] == [2, 2]
