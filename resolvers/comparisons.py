"""Comparisons of backups: asking for one, reading it back, the link to its differing records."""

from resolvers.context import Context
from services import comparisons, crm
from services.accounts import Scope
from services.core.pagination import Page


async def compare_backups(
    context: Context, from_backup_id: str, to_backup_id: str | None
) -> comparisons.Comparison:
    viewer = context.require_viewer(Scope.READ)
    return await comparisons.compare_backups(viewer, from_backup_id, to_backup_id)


async def get_comparison(context: Context, comparison_id: str) -> comparisons.Comparison:
    return await comparisons.get_comparison(context.require_viewer(Scope.READ), comparison_id)


async def list_comparisons(
    context: Context, first: int, after: str | None
) -> Page[comparisons.Comparison]:
    return await comparisons.list_comparisons(context.require_viewer(Scope.READ), first, after)


def differences_download_url(context: Context, comparison: comparisons.Comparison) -> str | None:
    token = comparisons.download_token(context.require_viewer(Scope.DOWNLOADS), comparison)
    return None if token is None else context.link("download_comparison", token=token)


async def names(comparison: comparisons.Comparison, object_types: set[str]) -> crm.Names:
    """`comparison` was read for the viewer, who may therefore see how its values are named."""
    return await crm.names_of(comparison.account_id, object_types)


async def alert_settings(context: Context) -> comparisons.Settings:
    return await comparisons.get_settings(context.require_viewer(Scope.READ))


async def update_alert_settings(
    context: Context, settings: comparisons.Settings
) -> comparisons.Settings:
    return await comparisons.update_settings(context.require_viewer(), settings)
