"""The comparisons' root fields: asking for a comparison of backups, reading it back."""

from typing import Annotated

import strawberry

import resolvers.comparisons
from resolvers.context import Info
from schema.comparisons.alerts import MassChangeAlertSettings, MassChangeAlertSettingsInput
from schema.comparisons.types import Comparison
from schema.pagination import AFTER, FIRST, Connection


@strawberry.type
class ComparisonQueries:
    @strawberry.field(
        description="Comparisons of the account's backups, newest first: those asked for with "
        "compareBackups and those made after each backup. SUPER_ADMIN only (else FORBIDDEN)."
    )
    async def comparisons(
        self,
        info: Info,
        first: Annotated[int, FIRST] = 20,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[Comparison]:
        page = await resolvers.comparisons.list_comparisons(info.context, first, after)
        return Connection.from_page(page, Comparison.from_model)

    @strawberry.field(
        description="One comparison of the account (else NOT_FOUND). SUPER_ADMIN only (else "
        "FORBIDDEN)."
    )
    async def comparison(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The comparison's id.")],
    ) -> Comparison:
        return Comparison.from_model(await resolvers.comparisons.get_comparison(info.context, id))

    @strawberry.field(
        description="When backups raise mass-change alerts. SUPER_ADMIN only (else FORBIDDEN)."
    )
    async def mass_change_alert_settings(self, info: Info) -> MassChangeAlertSettings:
        return MassChangeAlertSettings.of(await resolvers.comparisons.alert_settings(info.context))


@strawberry.type
class ComparisonMutations:
    @strawberry.mutation(
        description="Replaces the account's mass-change alert settings, object types' own "
        "thresholds included. SUPER_ADMIN in person only (else FORBIDDEN); a percentage outside "
        "0 to below 100, a minimum below 1 or an unknown object type is VALIDATION_FAILED."
    )
    async def update_mass_change_alert_settings(
        self,
        info: Info,
        input: Annotated[
            MassChangeAlertSettingsInput, strawberry.argument(description="The settings.")
        ],
    ) -> MassChangeAlertSettings:
        updated = await resolvers.comparisons.update_alert_settings(info.context, input.settings())
        return MassChangeAlertSettings.of(updated)

    @strawberry.mutation(
        description="Queues the comparison of a backup with a later one, or with the records "
        "today: a job (follow it with jobProgress(id: <its id>)) that counts, per object type, "
        "the records added, deleted, purged and changed, and per property the values changed, "
        "set and cleared. SUPER_ADMIN only (else FORBIDDEN); both backups SUCCEEDED and not "
        "expired (else VALIDATION_FAILED or BACKUP_EXPIRED), of the account (else NOT_FOUND), "
        "the second taken after the first (else VALIDATION_FAILED)."
    )
    async def compare_backups(
        self,
        info: Info,
        from_backup_id: Annotated[
            strawberry.ID, strawberry.argument(description="The earlier backup.")
        ],
        to_backup_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="The later backup; null (the default) to compare with the records "
                "today."
            ),
        ] = None,
    ) -> Comparison:
        compared = await resolvers.comparisons.compare_backups(
            info.context, from_backup_id, to_backup_id
        )
        return Comparison.from_model(compared)
