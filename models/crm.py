from enum import StrEnum
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.ids import new_id


class PropertyType(StrEnum):
    STRING = "STRING"
    NUMBER = "NUMBER"
    DATE = "DATE"
    DATETIME = "DATETIME"
    BOOL = "BOOL"
    ENUMERATION = "ENUMERATION"


class ObjectType(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="object_types", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64)
    singular_label = fields.CharField(max_length=100)
    plural_label = fields.CharField(max_length=100)
    is_custom = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    account_id: UUID
    properties: fields.ReverseRelation["Property"]

    class Meta:
        table = "object_types"
        unique_together = (("account", "name"),)


class Property(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    object_type: fields.ForeignKeyRelation[ObjectType] = fields.ForeignKeyField(
        "crm.ObjectType", related_name="properties", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64)
    label = fields.CharField(max_length=200)
    type = fields.CharEnumField(PropertyType, max_length=16)
    # For ENUMERATION: the allowed internal values, in display order.
    options: list[str] = fields.JSONField(default=list)
    sensitive = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    object_type_id: UUID

    class Meta:
        table = "properties"
        unique_together = (("object_type", "name"),)


class Record(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="records", on_delete=fields.CASCADE
    )
    object_type: fields.ForeignKeyRelation[ObjectType] = fields.ForeignKeyField(
        "crm.ObjectType", related_name="records", on_delete=fields.CASCADE
    )
    # Property name -> value as a string, the way hosted CRMs expose values; blank is absent.
    properties: dict[str, str] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)
    # Set while the record sits in the recycle bin.
    deleted_at = fields.DatetimeField(null=True)

    account_id: UUID
    object_type_id: UUID

    class Meta:
        table = "records"
        indexes = (("object_type_id", "id"), ("account_id", "deleted_at"))


class PurgedRecord(Model):
    """Tombstone of a permanently deleted record, so an import can recognise and refuse it."""

    id = fields.UUIDField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="purged_records", on_delete=fields.CASCADE
    )
    object_type: fields.ForeignKeyRelation[ObjectType] = fields.ForeignKeyField(
        "crm.ObjectType", related_name="purged_records", on_delete=fields.CASCADE
    )
    purged_at = fields.DatetimeField(auto_now_add=True)

    account_id: UUID
    object_type_id: UUID

    class Meta:
        table = "purged_records"


class Association(Model):
    id = fields.UUIDField(primary_key=True, default=new_id)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="associations", on_delete=fields.CASCADE
    )
    from_record: fields.ForeignKeyRelation[Record] = fields.ForeignKeyField(
        "crm.Record", related_name="associations_from", on_delete=fields.CASCADE
    )
    to_record: fields.ForeignKeyRelation[Record] = fields.ForeignKeyField(
        "crm.Record", related_name="associations_to", on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    from_record_id: UUID
    to_record_id: UUID

    class Meta:
        table = "associations"
        unique_together = (("from_record", "to_record", "label"),)


class RecordChangeBatch(Model):
    """The change events of one object type's records, written in the transaction that changed
    them (a transactional outbox): a relay publishes them once committed and marks them sent, so
    a process that dies after the commit loses none. Event `n` of a batch has the id `<id>:<n>`."""

    # Generated in insert order: the order a relay publishes an account's batches in.
    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "crm.Account", related_name="record_change_batches", on_delete=fields.CASCADE
    )
    object_type = fields.CharField(max_length=64)
    # Each change as `RecordChange.to_message()` gives it.
    changes: list[dict[str, object]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    # A relay publishing the batch holds it until then; a relay that died lets it lapse.
    claimed_until = fields.DatetimeField(null=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)

    account_id: UUID

    class Meta:
        table = "record_change_batches"
        indexes = (("account_id", "object_type", "id"),)
