"""Imports: uploaded files applied to the records, their refused rows, and the list of imports
(which also shows finished restores)."""

from models.imports import Import, ImportRowError, ImportSource, ImportStatus
from services.imports.error_rows import csv_stream as error_rows_csv
from services.imports.error_rows import download_token as error_rows_download_token
from services.imports.error_rows import error_rows, has_error_rows
from services.imports.error_rows import open_download as open_error_rows_download
from services.imports.job import run_import
from services.imports.service import get_import, list_imports, start_file_import
from services.jobs import FailureCode, failure_code

__all__ = [
    "FailureCode",
    "Import",
    "ImportRowError",
    "ImportSource",
    "ImportStatus",
    "error_rows",
    "error_rows_csv",
    "error_rows_download_token",
    "failure_code",
    "get_import",
    "has_error_rows",
    "list_imports",
    "open_error_rows_download",
    "run_import",
    "start_file_import",
]
