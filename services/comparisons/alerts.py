"""Mass-change alerts: a comparison made after a backup whose findings pass the account's
thresholds is audited as MASS_CHANGE_DETECTED and told to the super admins, naming the object
types and properties and the comparison."""

from models.comparisons import Comparison
from services import activity
from services.comparisons.summary import MassChange

KIND = "MASS_CHANGE_DETECTED"


def _named(change: MassChange) -> str:
    if change.property is None:
        return f"{change.object_type}: {change.count} of {change.out_of} records removed"
    return (
        f"{change.object_type}.{change.property}: {change.count} of {change.out_of} values changed"
    )


def _details(comparison: Comparison, found: list[MassChange]) -> dict[str, object]:
    return {
        "comparisonId": str(comparison.id),
        "objects": sorted({change.object_type for change in found if change.property is None}),
        "properties": [
            f"{change.object_type}.{change.property}" for change in found if change.property
        ],
    }


async def audit(comparison: Comparison, found: list[MassChange]) -> None:
    """In the transaction that records the comparison's outcome."""
    await activity.record_event(
        comparison.account_id,
        None,
        KIND,
        target_type="comparison",
        target_id=comparison.id,
        **_details(comparison, found),
    )


async def notify(comparison: Comparison, found: list[MassChange]) -> None:
    """Once the outcome has committed."""
    body = "Since the previous backup: " + "; ".join(_named(change) for change in found) + "."
    await activity.notify_super_admins(
        comparison.account_id, KIND, "Mass change detected", body, subject_id=str(comparison.id)
    )
