from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, User
from models.ids import new_id


class Notification(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="notifications", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "crm.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=64)
    title = fields.CharField(max_length=200)
    body = fields.TextField(default="")
    # What the notification is about (a backup, a restore...), for a client to link to.
    subject_id = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    account_id: UUID
    user_id: UUID

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at"),)
