"""What happened and who is told: the audit log and users' notifications."""

from models.audit import AuditEvent
from models.notifications import Notification
from services.activity.audit import audit_log, record_event
from services.activity.notifications import for_viewer as notifications_of
from services.activity.notifications import live as live_notifications
from services.activity.notifications import mark_read, notify, notify_super_admins, unread_count

__all__ = [
    "AuditEvent",
    "Notification",
    "audit_log",
    "live_notifications",
    "mark_read",
    "notifications_of",
    "notify",
    "notify_super_admins",
    "record_event",
    "unread_count",
]
