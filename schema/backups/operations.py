"""The backups' root fields: listing and requesting backups, the recurring schedule."""

from datetime import datetime
from typing import Annotated

import strawberry

import resolvers.backups
from resolvers.context import Info
from schema.accounts.types import Account
from schema.backups.types import Backup, BackupSchedule
from schema.pagination import AFTER, FIRST, Connection
from services import backups

INCLUDE_ASSOCIATIONS = strawberry.argument(
    description="Add associations.csv (from_id, to_id, label: each association between two "
    "records in the backup, from the same snapshot). Off by default."
)


@strawberry.type
class BackupQueries:
    @strawberry.field(
        description="The account's backups, expired ones included, newest first. SUPER_ADMIN "
        "only (else FORBIDDEN)."
    )
    async def backups(
        self,
        info: Info,
        first: Annotated[int, FIRST] = 20,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[Backup]:
        page = await resolvers.backups.list_backups(info.context, first, after)
        return Connection.from_page(page, Backup.from_model)

    @strawberry.field(
        description="One backup of the account (else NOT_FOUND). SUPER_ADMIN only (else FORBIDDEN)."
    )
    async def backup(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The backup's id.")],
    ) -> Backup:
        return Backup.from_model(await resolvers.backups.get_backup(info.context, id))

    @strawberry.field(
        description="Recurring backups. SUPER_ADMIN only (else FORBIDDEN); ENTERPRISE tier "
        "(else TIER_REQUIRED)."
    )
    async def backup_schedule(self, info: Info) -> BackupSchedule:
        return BackupSchedule.from_model(await resolvers.backups.backup_schedule(info.context))


@strawberry.type
class BackupMutations:
    @strawberry.mutation(
        description="Queues a backup of every record (SUPER_ADMIN only, else FORBIDDEN). One "
        "manual backup per 7 days (STARTER, PROFESSIONAL) or 24 hours (ENTERPRISE), else "
        "RATE_LIMITED with `retryAt`: see `account.nextManualBackupAt`. Follow it with "
        "`jobProgress`; its super admins are notified when it ends."
    )
    async def create_backup(
        self,
        info: Info,
        confirm: Annotated[
            bool,
            strawberry.argument(description="Must be true (else VALIDATION_FAILED)."),
        ],
        include_associations: Annotated[bool, INCLUDE_ASSOCIATIONS] = False,
    ) -> Backup:
        backup = await resolvers.backups.create_backup(info.context, confirm, include_associations)
        return Backup.from_model(backup)

    @strawberry.mutation(
        description="Sets how long backups are kept after they complete, in days (1 to 365; "
        "14 by default): `days` for manual backups, `scheduledDays` for scheduled ones "
        "(unchanged when omitted). The backups kept now follow the new periods at once, "
        "counted from their completion: a shorter one expires the older backups and deletes "
        "their files within the scheduler's next pass. A restore's revert window stays 14 days "
        "whatever the retention. SUPER_ADMIN, re-authenticated (REAUTH_REQUIRED otherwise)."
    )
    async def update_backup_retention(
        self,
        info: Info,
        days: Annotated[int, strawberry.argument(description="Manual backups: 1 to 365 days.")],
        scheduled_days: Annotated[
            int | None,
            strawberry.argument(description="Scheduled backups: 1 to 365 days; null: unchanged."),
        ] = None,
    ) -> Account:
        account = await resolvers.backups.update_backup_retention(
            info.context, days, scheduled_days
        )
        return Account.from_model(account)

    @strawberry.mutation(
        description="Turn recurring backups on (first run one period from now unless "
        "`firstRunAt` is given) or off. Scheduled backups do not use the manual quota. "
        "SUPER_ADMIN only (else FORBIDDEN); ENTERPRISE tier (else TIER_REQUIRED)."
    )
    async def update_backup_schedule(
        self,
        info: Info,
        enabled: Annotated[bool, strawberry.argument(description="On or off.")],
        frequency: Annotated[
            backups.BackupFrequency | None,
            strawberry.argument(description="How often; null keeps the current one."),
        ] = None,
        first_run_at: Annotated[
            datetime | None,
            strawberry.argument(
                description="When the first scheduled backup runs: in the future, with its "
                "time zone, and only when enabling (else VALIDATION_FAILED)."
            ),
        ] = None,
        include_associations: Annotated[
            bool | None,
            strawberry.argument(
                description="Its backups include associations.csv; null: unchanged (off "
                "until turned on)."
            ),
        ] = None,
    ) -> BackupSchedule:
        schedule = await resolvers.backups.update_backup_schedule(
            info.context, enabled, frequency, first_run_at, include_associations
        )
        return BackupSchedule.from_model(schedule)
