"""What happened and who is told: the audit log and users' notifications."""

from models.audit import AuditEvent
from models.notifications import Notification
from services.activity.audit import (
    AuditFilter,
    audit_actions,
    audit_log,
    record_download,
    record_event,
)
from services.activity.audit_export import csv_lines as audit_log_csv
from services.activity.audit_export import export_token as audit_log_export_token
from services.activity.audit_export import open_export as open_audit_log_export
from services.activity.notifications import for_viewer as notifications_of
from services.activity.notifications import live as live_notifications
from services.activity.notifications import mark_read, notify, notify_super_admins, unread_count

__all__ = [
    "AuditEvent",
    "AuditFilter",
    "Notification",
    "audit_actions",
    "audit_log",
    "audit_log_csv",
    "audit_log_export_token",
    "live_notifications",
    "mark_read",
    "notifications_of",
    "notify",
    "notify_super_admins",
    "open_audit_log_export",
    "record_download",
    "record_event",
    "unread_count",
]
