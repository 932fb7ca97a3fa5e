from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, User
from models.ids import new_id


class AuditEvent(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="audit_events", on_delete=fields.CASCADE
    )
    # Kept when the user is removed: the log must still say that someone acted.
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=64, default="")
    target_id = fields.CharField(max_length=64, default="")
    details: dict[str, object] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    account_id: UUID
    actor_id: UUID

    class Meta:
        table = "audit_events"
        indexes = (("account_id", "created_at"),)
