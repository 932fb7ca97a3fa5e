"""Backups of a whole account: requesting them (quota, schedules), the export job and the file
format, downloads and expiry."""

from models.backups import Backup, BackupStatus, BackupTrigger
from models.schedules import BackupFrequency, BackupSchedule
from services.backups.archive_guard import UnsafeFile, csv_records, open_zip
from services.backups.fetched import backup_file, entry_for, fetched
from services.backups.file_format import (
    ASSOCIATIONS_NAME,
    COMPRESS_LEVEL,
    MANIFEST_NAME,
    BackupReader,
    CorruptBackup,
    FileEntry,
    Manifest,
    UnparsedRow,
    checked_rows,
    deflated_entry,
    open_backup,
    read_backup,
    read_manifest,
)
from services.backups.job import run_export
from services.backups.quota import manual_backup_interval, next_manual_backup_at
from services.backups.retention import DEFAULT_DAYS, MAX_DAYS, update_retention
from services.backups.schedules import get_schedule, run_due_schedules, update_schedule
from services.backups.service import (
    RESTORABLE_FOR,
    BackupExpired,
    check_restorable,
    check_usable,
    download_name,
    download_token,
    expire_backups,
    get_backup,
    list_backups,
    open_download,
    request_manual_backup,
    restorable_until,
)
from services.jobs import FailureCode, failure_code

__all__ = [
    "ASSOCIATIONS_NAME",
    "COMPRESS_LEVEL",
    "DEFAULT_DAYS",
    "MANIFEST_NAME",
    "MAX_DAYS",
    "RESTORABLE_FOR",
    "Backup",
    "BackupExpired",
    "BackupFrequency",
    "BackupReader",
    "BackupSchedule",
    "BackupStatus",
    "BackupTrigger",
    "CorruptBackup",
    "FailureCode",
    "FileEntry",
    "Manifest",
    "UnparsedRow",
    "UnsafeFile",
    "backup_file",
    "check_restorable",
    "check_usable",
    "checked_rows",
    "csv_records",
    "deflated_entry",
    "download_name",
    "download_token",
    "entry_for",
    "expire_backups",
    "failure_code",
    "fetched",
    "get_backup",
    "get_schedule",
    "list_backups",
    "manual_backup_interval",
    "next_manual_backup_at",
    "open_backup",
    "open_download",
    "open_zip",
    "read_backup",
    "read_manifest",
    "request_manual_backup",
    "restorable_until",
    "run_due_schedules",
    "run_export",
    "update_retention",
    "update_schedule",
]
