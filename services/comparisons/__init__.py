"""Comparisons: what changed between two backups, or between a backup and the records now,
counted per object type and property by a job, with its differing records as a CSV."""

from models.comparisons import Comparison, ComparisonStatus, RecordChange
from services.comparisons.differences import csv_stream, download_token, open_download
from services.comparisons.job import run_compare
from services.comparisons.service import compare_backups, get_comparison
from services.comparisons.summary import (
    MAX_SAMPLES,
    ComparisonSummary,
    ObjectDiff,
    PropertyDiff,
    SampleChange,
)

__all__ = [
    "MAX_SAMPLES",
    "Comparison",
    "ComparisonStatus",
    "ComparisonSummary",
    "ObjectDiff",
    "PropertyDiff",
    "RecordChange",
    "SampleChange",
    "compare_backups",
    "csv_stream",
    "download_token",
    "get_comparison",
    "open_download",
    "run_compare",
]
