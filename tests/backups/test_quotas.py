from datetime import timedelta

import pytest

from models.accounts import Account, Tier
from services.backups import quota as quotas
from services.core.clock import now
from services.core.errors import RateLimited
from tests.support.backups import MANUAL_QUOTA_INTERVALS
from tests.support.tenants import MakeTenant, Tenant


@pytest.mark.parametrize(("tier", "interval"), MANUAL_QUOTA_INTERVALS)
async def test_one_manual_backup_per_window_of_the_tier(
    make_tenant: MakeTenant, tier: Tier, interval: timedelta
) -> None:
    account = (await make_tenant(tier)).account
    start = now()
    until = await quotas.consume_manual_backup(account, start)
    assert until == start + interval
    with pytest.raises(RateLimited) as refused:
        await quotas.consume_manual_backup(account, until - timedelta(microseconds=1))
    assert refused.value.retry_at == until
    assert refused.value.extensions == {"code": "RATE_LIMITED", "retryAt": until.isoformat()}
    # The window is counted from the previous request: it reopens exactly then.
    assert await quotas.consume_manual_backup(account, until) == until + interval


async def test_a_failed_backup_gives_back_only_the_window_it_took(tenant: Tenant) -> None:
    account = tenant.account
    failed_window = await quotas.consume_manual_backup(account, now())
    # The window passed and a later backup took the next one before the first one failed.
    later_window = await quotas.consume_manual_backup(account, failed_window)
    await quotas.give_back_manual_backup(account.id, failed_window)
    assert (await Account.get(id=account.id)).next_manual_backup_at == later_window

    await quotas.give_back_manual_backup(account.id, later_window)
    assert (await Account.get(id=account.id)).next_manual_backup_at is None
    assert await quotas.consume_manual_backup(account, now())


def test_next_manual_backup_at_is_null_once_the_window_has_passed() -> None:
    account = Account(tier=Tier.STARTER)
    assert quotas.next_manual_backup_at(account) is None
    account.next_manual_backup_at = now() - timedelta(seconds=1)
    assert quotas.next_manual_backup_at(account) is None
    account.next_manual_backup_at = later = now() + timedelta(hours=1)
    assert quotas.next_manual_backup_at(account) == later
