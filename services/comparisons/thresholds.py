"""An account's mass-change thresholds: reading them (the defaults where none are stored),
setting them, and what a comparison's findings pass of them."""

from dataclasses import dataclass, field

from models.accounts import Role
from models.comparisons import MassChangeSettings
from models.crm import ObjectType
from services import activity
from services.comparisons.summary import ComparisonSummary, MassChange
from services.core.errors import ValidationFailed
from services.core.viewer import Viewer

# The keys of an object type's own thresholds.
KEYS = ("deleted_percent", "changed_percent", "minimum_count")


@dataclass(frozen=True)
class Thresholds:
    # An alert when strictly more than this percent of an object type's records are removed,
    deleted_percent: float = 5.0
    # or of a property's values changed, set or cleared,
    changed_percent: float = 10.0
    # and at least this many of them.
    minimum_count: int = 50


@dataclass(frozen=True)
class Settings:
    enabled: bool = True
    thresholds: Thresholds = Thresholds()
    # An object type's own thresholds, by name.
    object_types: dict[str, Thresholds] = field(default_factory=dict)

    def of(self, object_type: str) -> Thresholds:
        return self.object_types.get(object_type, self.thresholds)


def _stored(row: MassChangeSettings) -> Settings:
    overall = Thresholds(row.deleted_percent, row.changed_percent, row.minimum_count)
    return Settings(
        row.enabled,
        overall,
        {
            name: Thresholds(
                own.get("deleted_percent", overall.deleted_percent),
                own.get("changed_percent", overall.changed_percent),
                int(own.get("minimum_count", overall.minimum_count)),
            )
            for name, own in row.object_types.items()
        },
    )


async def settings_of(account_id: object) -> Settings:
    row = await MassChangeSettings.get_or_none(account_id=account_id)
    return Settings() if row is None else _stored(row)


async def get_settings(viewer: Viewer) -> Settings:
    viewer.require_role(Role.SUPER_ADMIN)
    return await settings_of(viewer.account_id)


def _check(thresholds: Thresholds, where: str, object_type: str | None = None) -> None:
    """`field` names the input's field, and `objectType` whose thresholds it is (none: the
    account's), so that a form can show the error next to it."""
    for name, field_name in (
        ("deleted_percent", "deletedPercent"),
        ("changed_percent", "changedPercent"),
    ):
        if not 0 <= getattr(thresholds, name) < 100:
            raise ValidationFailed(
                f"{where}: a percentage is at least 0 and below 100.",
                field=field_name,
                objectType=object_type,
            )
    if thresholds.minimum_count < 1:
        raise ValidationFailed(
            f"{where}: the minimum count is at least 1.",
            field="minimumCount",
            objectType=object_type,
        )


async def update_settings(viewer: Viewer, settings: Settings) -> Settings:
    """Replace the account's settings, its object types' own thresholds included."""
    viewer.require_role(Role.SUPER_ADMIN)
    _check(settings.thresholds, "The account's thresholds")
    names = set(
        await ObjectType.filter(account_id=viewer.account_id).values_list("name", flat=True)
    )
    for name, own in settings.object_types.items():
        if name not in names:
            raise ValidationFailed(
                f"No object type called {name!r}.", field="objectType", objectType=name
            )
        _check(own, f"The thresholds of {name}", name)
    overall = settings.thresholds
    await MassChangeSettings.update_or_create(
        {
            "enabled": settings.enabled,
            "deleted_percent": overall.deleted_percent,
            "changed_percent": overall.changed_percent,
            "minimum_count": overall.minimum_count,
            "object_types": {
                name: {key: getattr(own, key) for key in KEYS}
                for name, own in settings.object_types.items()
            },
        },
        account_id=viewer.account_id,
    )
    await activity.record_event(
        viewer.account_id,
        viewer.user.id,
        "MASS_CHANGE_SETTINGS_UPDATED",
        target_type="account",
        target_id=viewer.account_id,
        enabled=settings.enabled,
    )
    return await settings_of(viewer.account_id)


def _passes(count: int, out_of: int, percent: float, minimum: int) -> bool:
    return count >= minimum and count * 100 > percent * out_of


def mass_changes(summary: ComparisonSummary, settings: Settings) -> list[MassChange]:
    """What of `summary` passes the thresholds: removals per object type, then changes per
    property."""
    found: list[MassChange] = []
    for diff in summary.objects:
        limits = settings.of(diff.object_type)
        if _passes(diff.removed, diff.records_before, limits.deleted_percent, limits.minimum_count):
            found.append(
                MassChange(
                    object_type=diff.object_type, count=diff.removed, out_of=diff.records_before
                )
            )
        for prop in diff.properties:
            if _passes(prop.differing, diff.in_both, limits.changed_percent, limits.minimum_count):
                found.append(
                    MassChange(
                        object_type=diff.object_type,
                        property=prop.name,
                        count=prop.differing,
                        out_of=diff.in_both,
                    )
                )
    return found
