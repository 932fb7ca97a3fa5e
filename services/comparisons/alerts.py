"""Mass-change alerts: a comparison made after a backup whose findings pass the account's
thresholds is audited as MASS_CHANGE_DETECTED and told to the super admins, naming the object
types and properties and the comparison."""

from models.comparisons import Comparison
from services import activity, crm
from services.comparisons.summary import MassChange

KIND = "MASS_CHANGE_DETECTED"


def _of(count: int, out_of: int, one: str, many: str) -> str:
    return f"{count} of {out_of} {one if out_of == 1 else many}"


def _named(change: MassChange, names: crm.Names) -> str:
    """In the account's words: "Deals: 3 of 57 records removed", "Deals, Deal stage: 6 of 57
    values changed" (an object type or property deleted since goes by its name)."""
    known = names.types.get(change.object_type)
    object_label = known.plural_label if known else change.object_type
    if change.property is None:
        return f"{object_label}: {_of(change.count, change.out_of, 'record', 'records')} removed"
    labels = {each.name: each.label for each in known.properties} if known else {}
    property_label = labels.get(change.property, change.property)
    changed = _of(change.count, change.out_of, "value", "values")
    return f"{object_label}, {property_label}: {changed} changed"


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
    names = await crm.names_of(comparison.account_id, {change.object_type for change in found})
    named = "; ".join(_named(change, names) for change in found)
    body = f"Since the previous backup: {named}."
    await activity.notify_super_admins(
        comparison.account_id, KIND, "Mass change detected", body, subject_id=str(comparison.id)
    )
