"""Tortoise models, one module per aggregate. No business logic beyond invariants."""

MODEL_MODULES = [
    "models.accounts",
    "models.crm",
    "models.audit",
    "models.notifications",
    "models.backups",
    "models.schedules",
    "models.restores",
    "models.comparisons",
    "models.imports",
]
