"""The manual-backup quota, checked and consumed in one compare-and-set on the account row.

Two concurrent requests cannot both pass: only one UPDATE finds the window open. Works the same
on SQLite and PostgreSQL, without row locks.
"""

from datetime import datetime, timedelta
from uuid import UUID

from tortoise.expressions import Q

from models.accounts import Account, Tier
from services.core.clock import now
from services.core.errors import RateLimited

MANUAL_BACKUP_INTERVAL = {
    Tier.STARTER: timedelta(days=7),
    Tier.PROFESSIONAL: timedelta(days=7),
    Tier.ENTERPRISE: timedelta(hours=24),
}


def manual_backup_interval(tier: Tier) -> timedelta:
    return MANUAL_BACKUP_INTERVAL[tier]


def next_manual_backup_at(account: Account) -> datetime | None:
    """When the account may request its next manual backup; None: now."""
    allowed_at = account.next_manual_backup_at
    return allowed_at if allowed_at is not None and allowed_at > now() else None


async def consume_manual_backup(account: Account, at: datetime) -> datetime:
    """Take the account's manual backup for this window; returns when the next one is allowed."""
    next_allowed = at + MANUAL_BACKUP_INTERVAL[account.tier]
    window_open = Q(next_manual_backup_at__isnull=True) | Q(next_manual_backup_at__lte=at)
    taken = await Account.filter(window_open, id=account.id).update(
        next_manual_backup_at=next_allowed
    )
    if not taken:
        await account.refresh_from_db(fields=["next_manual_backup_at"])
        retry_at = account.next_manual_backup_at or next_allowed
        raise RateLimited(
            f"One manual backup per {_describe(account.tier)}; the next is allowed at "
            f"{retry_at.isoformat(timespec='seconds')}.",
            retry_at=retry_at,
        )
    return next_allowed


async def give_back_manual_backup(account_id: UUID, taken_until: datetime) -> None:
    """Reopen the window a failed backup took, unless a later backup has taken it since."""
    await Account.filter(id=account_id, next_manual_backup_at=taken_until).update(
        next_manual_backup_at=None
    )


def _describe(tier: Tier) -> str:
    interval = MANUAL_BACKUP_INTERVAL[tier]
    return f"{interval.days} days" if interval.days > 1 else "24 hours"
