"""The mass-change alert settings as GraphQL types and inputs."""

from typing import Self

import strawberry

from services import comparisons

_DELETED = (
    "Percent (0 to below 100) of an object type's records that, removed (deleted or purged) "
    "since the previous backup, raise an alert when strictly more are."
)
_CHANGED = (
    "Percent (0 to below 100) of a property's values on the records both backups hold that, "
    "changed, set or cleared, raise an alert when strictly more are."
)
_MINIMUM = "Fewer records removed or values changed than this (at least 1) never alert."


@strawberry.type(description="Thresholds of mass-change alerts.")
class MassChangeThresholds:
    deleted_percent: float = strawberry.field(description=_DELETED)
    changed_percent: float = strawberry.field(description=_CHANGED)
    minimum_count: int = strawberry.field(description=_MINIMUM)

    @classmethod
    def of(cls, thresholds: comparisons.Thresholds) -> Self:
        return cls(
            deleted_percent=thresholds.deleted_percent,
            changed_percent=thresholds.changed_percent,
            minimum_count=thresholds.minimum_count,
        )


@strawberry.type(description="An object type's own thresholds, in place of the account's.")
class MassChangeObjectThresholds(MassChangeThresholds):
    object_type: str = strawberry.field(description="The object type's name.")


@strawberry.type(
    description="When a backup raises a mass-change alert: after every succeeded backup it is "
    "compared with the previous one, and what passes these thresholds is notified to the super "
    "admins (MASS_CHANGE_DETECTED) and audited."
)
class MassChangeAlertSettings:
    enabled: bool = strawberry.field(description="Alerts on (the default) or off.")
    thresholds: MassChangeThresholds = strawberry.field(
        description="The account's thresholds (defaults: 5 % deleted, 10 % changed, at least 50)."
    )
    object_types: list[MassChangeObjectThresholds] = strawberry.field(
        description="Object types with thresholds of their own, by name."
    )

    @classmethod
    def of(cls, settings: comparisons.Settings) -> Self:
        return cls(
            enabled=settings.enabled,
            thresholds=MassChangeThresholds.of(settings.thresholds),
            object_types=[
                MassChangeObjectThresholds(object_type=name, **vars(MassChangeThresholds.of(own)))
                for name, own in sorted(settings.object_types.items())
            ],
        )


@strawberry.input(description="Thresholds of mass-change alerts.")
class MassChangeThresholdsInput:
    deleted_percent: float = strawberry.field(description=_DELETED)
    changed_percent: float = strawberry.field(description=_CHANGED)
    minimum_count: int = strawberry.field(description=_MINIMUM)

    def thresholds(self) -> comparisons.Thresholds:
        return comparisons.Thresholds(
            self.deleted_percent, self.changed_percent, self.minimum_count
        )


@strawberry.input(description="An object type's own thresholds.")
class MassChangeObjectThresholdsInput(MassChangeThresholdsInput):
    object_type: str = strawberry.field(description="An object type of the account.")


@strawberry.input(description="The whole of an account's mass-change alert settings.")
class MassChangeAlertSettingsInput:
    enabled: bool = strawberry.field(description="Alerts on or off.")
    thresholds: MassChangeThresholdsInput = strawberry.field(
        description="The account's thresholds."
    )
    object_types: list[MassChangeObjectThresholdsInput] = strawberry.field(
        default_factory=list,
        description="Object types with thresholds of their own; replaces the ones set before "
        "(empty: none).",
    )

    def settings(self) -> comparisons.Settings:
        return comparisons.Settings(
            self.enabled,
            self.thresholds.thresholds(),
            {own.object_type: own.thresholds() for own in self.object_types},
        )
