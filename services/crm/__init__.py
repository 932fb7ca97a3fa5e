"""The CRM store: object types and their properties, records and their values, the recycle bin,
associations, and the change events of records."""

from models.crm import Association, ObjectType, Property, PropertyType, Record
from services.crm.catalog import STANDARD_OBJECT_TYPES
from services.crm.changes import ChangeEvent, ChangeSource, RecordChange
from services.crm.live import live as live_record_changes
from services.crm.names import Names, names_of
from services.crm.object_types import (
    NAME_PATTERN,
    check_property_name,
    create_custom_object_type,
    create_property,
    get_object_type,
    list_object_types,
    properties_by_name,
)
from services.crm.outbox import delete_sent as delete_sent_record_changes
from services.crm.outbox import record_changes
from services.crm.record_pages import BEFORE_ANY_ID, RecordRow
from services.crm.record_pages import statement as property_page_statement
from services.crm.records import (
    MAX_BATCH,
    Changes,
    RecordFilter,
    associate_records,
    associations_of,
    create_records,
    delete_records,
    filtered,
    get_record,
    holds_records,
    list_records,
    purge_records,
    recycle_bin,
    restore_deleted_records,
    update_records,
)
from services.crm.relay import run as relay_record_changes
from services.crm.value_shares import forget_samples as forget_value_samples
from services.crm.value_shares import sample_due_types as sample_property_values
from services.crm.values import MAX_VALUE_LENGTH, InvalidValue, column_problems
from services.crm.values import check as check_value

__all__ = [
    "BEFORE_ANY_ID",
    "MAX_BATCH",
    "MAX_VALUE_LENGTH",
    "NAME_PATTERN",
    "STANDARD_OBJECT_TYPES",
    "Association",
    "ChangeEvent",
    "ChangeSource",
    "Changes",
    "InvalidValue",
    "Names",
    "ObjectType",
    "Property",
    "PropertyType",
    "Record",
    "RecordChange",
    "RecordFilter",
    "RecordRow",
    "associate_records",
    "associations_of",
    "check_property_name",
    "check_value",
    "column_problems",
    "create_custom_object_type",
    "create_property",
    "create_records",
    "delete_records",
    "delete_sent_record_changes",
    "filtered",
    "forget_value_samples",
    "get_object_type",
    "get_record",
    "holds_records",
    "list_object_types",
    "list_records",
    "live_record_changes",
    "names_of",
    "properties_by_name",
    "property_page_statement",
    "purge_records",
    "record_changes",
    "recycle_bin",
    "relay_record_changes",
    "restore_deleted_records",
    "sample_property_values",
    "update_records",
]
