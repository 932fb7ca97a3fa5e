"""The API's table of contents: every root field and the resolver behind it.

Resolver modules are imported whole (`resolvers.records`), as field names often match theirs.
"""

from collections.abc import AsyncGenerator

import strawberry

import resolvers.accounts
import resolvers.audit
import resolvers.backups
import resolvers.imports
import resolvers.jobs
import resolvers.notifications
import resolvers.object_types
import resolvers.records
import resolvers.restores
import resolvers.schedules
import resolvers.sso
import resolvers.two_factor
from schema.accounts import Account, InviteUserPayload, LoginPayload, Me, User
from schema.audit import AuditEvent
from schema.backups import Backup
from schema.crm import Association, ObjectType, Property, Record
from schema.imports import Import
from schema.jobs import JobProgress
from schema.notifications import Notification
from schema.pagination import Connection
from schema.restores import RecordChange, Restore
from schema.schedules import BackupSchedule
from schema.two_factor import ReauthenticatePayload, TotpEnrollment


@strawberry.type
class Query:
    me: Me = strawberry.field(
        resolver=resolvers.accounts.me, description="The signed-in user and session."
    )
    account: Account = strawberry.field(resolver=resolvers.accounts.account)
    users: list[User] = strawberry.field(resolver=resolvers.accounts.account_users)
    object_types: list[ObjectType] = strawberry.field(
        resolver=resolvers.object_types.list_object_types
    )
    records: Connection[Record] = strawberry.field(
        resolver=resolvers.records.list_records,
        description="Live records of one type, oldest first.",
    )
    record: Record = strawberry.field(
        resolver=resolvers.records.get_record, description="A live or recycled record."
    )
    record_associations: list[Association] = strawberry.field(
        resolver=resolvers.records.record_associations
    )
    recycle_bin: Connection[Record] = strawberry.field(
        resolver=resolvers.records.recycle_bin, description="Deleted records, most recent first."
    )
    notifications: Connection[Notification] = strawberry.field(
        resolver=resolvers.notifications.list_notifications,
        description="The signed-in user's notifications, newest first.",
    )
    unread_notification_count: int = strawberry.field(resolver=resolvers.notifications.unread_count)
    audit_log: Connection[AuditEvent] = strawberry.field(
        resolver=resolvers.audit.audit_log,
        description="The account's audit log, newest first (ADMIN, SUPER_ADMIN).",
    )
    backups: Connection[Backup] = strawberry.field(
        resolver=resolvers.backups.list_backups, description="Newest first (SUPER_ADMIN)."
    )
    backup: Backup = strawberry.field(
        resolver=resolvers.backups.get_backup, description="SUPER_ADMIN."
    )
    restores: Connection[Restore] = strawberry.field(
        resolver=resolvers.restores.list_restores,
        description="Restore plans, restores and reverts, newest first (SUPER_ADMIN).",
    )
    restore: Restore = strawberry.field(
        resolver=resolvers.restores.get_restore, description="SUPER_ADMIN."
    )
    imports: Connection[Import] = strawberry.field(
        resolver=resolvers.imports.list_imports,
        description="Uploaded files and finished restores, newest first (SUPER_ADMIN).",
    )
    import_: Import = strawberry.field(
        name="import", resolver=resolvers.imports.get_import, description="SUPER_ADMIN."
    )
    backup_schedule: BackupSchedule = strawberry.field(
        resolver=resolvers.schedules.backup_schedule,
        description="Recurring backups (SUPER_ADMIN; ENTERPRISE tier, else TIER_REQUIRED).",
    )


@strawberry.type
class Mutation:
    login: LoginPayload = strawberry.mutation(resolver=resolvers.accounts.login)
    logout: bool = strawberry.mutation(resolver=resolvers.accounts.logout)
    invite_user: InviteUserPayload = strawberry.mutation(
        resolver=resolvers.accounts.invite_user, description="SUPER_ADMIN only."
    )
    accept_invitation: LoginPayload = strawberry.mutation(
        resolver=resolvers.accounts.accept_invitation
    )
    login_with_sso: LoginPayload = strawberry.mutation(
        resolver=resolvers.sso.login_with_sso,
        description="Signs in with an OpenID Connect ID token (RS256) from the identity provider "
        "the server is configured for, as the user with the token's email.",
    )
    start_totp_enrollment: TotpEnrollment | None = strawberry.mutation(
        resolver=resolvers.two_factor.start_totp_enrollment,
        description="A new two-factor secret, active once confirmed. Replacing a confirmed "
        "one needs `currentCode` from it.",
    )
    confirm_totp_enrollment: bool = strawberry.mutation(
        resolver=resolvers.two_factor.confirm_totp_enrollment,
        description="Activates the secret from `startTotpEnrollment` with a code it produced.",
    )
    reauthenticate: ReauthenticatePayload | None = strawberry.mutation(
        resolver=resolvers.two_factor.reauthenticate,
        description="Step-up with a current two-factor code: the session may start a restore "
        "for 5 minutes. A code works once; 5 wrong codes in 15 minutes lock two-factor for "
        "15 minutes (TOTP_LOCKED).",
    )
    set_user_role: User = strawberry.mutation(
        resolver=resolvers.accounts.set_user_role, description="SUPER_ADMIN only."
    )
    create_records: list[Record] = strawberry.mutation(
        resolver=resolvers.records.create_records,
        description="Up to 1,000 records; all or nothing.",
    )
    update_records: list[Record] = strawberry.mutation(
        resolver=resolvers.records.update_records,
        description="Up to 1,000 records; all or nothing.",
    )
    delete_records: int = strawberry.mutation(
        resolver=resolvers.records.delete_records, description="Moves records to the recycle bin."
    )
    restore_deleted_records: list[Record] = strawberry.mutation(
        resolver=resolvers.records.restore_deleted_records
    )
    purge_records: int = strawberry.mutation(
        resolver=resolvers.records.purge_records,
        description="Deletes records for good (ADMIN, SUPER_ADMIN); leaves tombstones.",
    )
    associate_records: Association = strawberry.mutation(
        resolver=resolvers.records.associate_records
    )
    create_property: Property = strawberry.mutation(
        resolver=resolvers.object_types.create_property, description="ADMIN, SUPER_ADMIN."
    )
    create_custom_object_type: ObjectType = strawberry.mutation(
        resolver=resolvers.object_types.create_custom_object_type, description="ADMIN, SUPER_ADMIN."
    )
    mark_notifications_read: int = strawberry.mutation(
        resolver=resolvers.notifications.mark_read,
        description="Marks notifications (all when `ids` is null) read; returns how many.",
    )
    create_backup: Backup = strawberry.mutation(
        resolver=resolvers.backups.create_backup,
        description="Queues a backup of every record (SUPER_ADMIN; `confirm` must be true). "
        "One manual backup per 7 days (STARTER, PROFESSIONAL) or 24 hours (ENTERPRISE): "
        "see `account.nextManualBackupAt`.",
    )
    plan_restore: Restore = strawberry.mutation(
        resolver=resolvers.restores.plan_restore,
        description="What restoring these properties of one object type from a backup would "
        "change, stored as a PLANNED restore (SUPER_ADMIN). Nothing is written.",
    )
    start_restore: Restore = strawberry.mutation(
        resolver=resolvers.restores.start_restore,
        description="Queues a plan less than an hour old: both acknowledgements true, a session "
        "re-authenticated within 5 minutes (or SSO), one restore per account at a time.",
    )
    plan_revert: Restore = strawberry.mutation(
        resolver=resolvers.restores.plan_revert,
        description="What putting back the values a restore overwrote would change, within 14 "
        "days of it; records changed again since are conflicts, left alone.",
    )
    revert_restore: Restore = strawberry.mutation(
        resolver=resolvers.restores.revert_restore,
        description="Queues a revert plan from `planRevert`, under the rules of startRestore.",
    )
    update_backup_schedule: BackupSchedule = strawberry.mutation(
        resolver=resolvers.schedules.update_backup_schedule,
        description="Turn recurring backups on (first run one period from now unless "
        "`firstRunAt` is given) or off. Scheduled backups do not use the manual quota.",
    )


@strawberry.type
class Subscription:
    notifications: AsyncGenerator[Notification, None] = strawberry.subscription(
        resolver=resolvers.notifications.live,
        description="The signed-in user's notifications as they arrive.",
    )
    record_changes: AsyncGenerator[RecordChange, None] = strawberry.subscription(
        resolver=resolvers.restores.record_changes,
        description="Records of one type as restores and imports change them.",
    )
    job_progress: AsyncGenerator[JobProgress, None] = strawberry.subscription(
        resolver=resolvers.jobs.job_progress,
        description="A job's state now, then each change, until it finishes.",
    )
