"""Imports: the account's list of them (restores from a backup or from an uploaded file, once
finished), the files a restore can be made from, and the rows refused by imports made before
restores from a file were planned."""

from models.imports import Import, ImportRowError, ImportSource, ImportStatus
from services.imports.error_rows import ErrorRow, error_rows, has_error_rows
from services.imports.error_rows import csv_stream as error_rows_csv
from services.imports.error_rows import download_token as error_rows_download_token
from services.imports.error_rows import open_download as open_error_rows_download
from services.imports.files import (
    REFUSAL_REASON_HEADER,
    REFUSALS,
    FileRefused,
    ImportFile,
    Upload,
    account_types,
    inspect_upload,
    open_upload,
)
from services.imports.service import get_import, list_imports, shown_file_name
from services.jobs import FailureCode, failure_code

__all__ = [
    "REFUSALS",
    "REFUSAL_REASON_HEADER",
    "ErrorRow",
    "FailureCode",
    "FileRefused",
    "Import",
    "ImportFile",
    "ImportRowError",
    "ImportSource",
    "ImportStatus",
    "Upload",
    "account_types",
    "error_rows",
    "error_rows_csv",
    "error_rows_download_token",
    "failure_code",
    "get_import",
    "has_error_rows",
    "inspect_upload",
    "list_imports",
    "open_error_rows_download",
    "open_upload",
    "shown_file_name",
]
