"""Comparisons: what changed between two backups, or between a backup and the records now,
counted per object type and property by a job, with its differing records as a CSV; and the
mass-change alerts that a comparison after each backup raises past the account's thresholds."""

from models.comparisons import Comparison, ComparisonStatus, RecordChange
from services.comparisons.differences import csv_stream, download_token, found_among, open_download
from services.comparisons.job import run_compare
from services.comparisons.service import compare_backups, get_comparison, list_comparisons
from services.comparisons.summary import (
    MAX_SAMPLES,
    ComparisonSummary,
    MassChange,
    ObjectDiff,
    PropertyDiff,
    SampleChange,
)
from services.comparisons.thresholds import Settings, Thresholds, get_settings, update_settings

__all__ = [
    "MAX_SAMPLES",
    "Comparison",
    "ComparisonStatus",
    "ComparisonSummary",
    "MassChange",
    "ObjectDiff",
    "PropertyDiff",
    "RecordChange",
    "SampleChange",
    "Settings",
    "Thresholds",
    "compare_backups",
    "csv_stream",
    "download_token",
    "found_among",
    "get_comparison",
    "get_settings",
    "list_comparisons",
    "open_download",
    "run_compare",
    "update_settings",
]
