"""The results table and the verdict on each target of the benchmark."""

from collections.abc import Sequence
from dataclasses import dataclass

from bench.floor import FloorResult
from bench.pairs import Paired
from bench.product import BackupResult

MB = 1_000_000
MAX_RATIO = 1.2
# Parallel streams on one snapshot beat the single-stream floor where the rows are many.
MAX_RATIO_AT_TARGET = 1.0
TARGET_RECORDS = 1_000_000
# The backup with encryption at rest against the same backup stored unencrypted.
MAX_ENCRYPTION_RATIO = 1.1
MAX_RSS_MB = 100.0
# "Flat in N": ten times the rows may cost no more than this much more memory.
MAX_RSS_GROWTH_MB = 10.0


@dataclass(frozen=True)
class Row:
    records: int
    # The best round of each, for the rows, sizes and rates.
    floor: FloorResult
    backup: BackupResult
    rounds: Paired
    worker_rss_bytes: int
    # The same backup by a worker storing it unencrypted.
    unencrypted: BackupResult

    @property
    def encryption_ratio(self) -> float:
        return self.backup.seconds / self.unencrypted.seconds

    @property
    def rss_mb(self) -> float:
        return self.worker_rss_bytes / MB


HEADER = (
    "N",
    "floor s",
    "backup s",
    "ratio best pair",
    "worst pair",
    "unencrypted s",
    "encrypted / unencrypted",
    "floor rows/s",
    "backup rows/s",
    "worker peak RSS MB",
    "ZIP MB",
)


def _cells(row: Row) -> tuple[str, ...]:
    return (
        f"{row.records:,}",
        f"{row.floor.seconds:.2f}",
        f"{row.backup.seconds:.2f}",
        *row.rounds.cells(),
        f"{row.unencrypted.seconds:.2f}",
        f"{row.encryption_ratio:.2f}",
        f"{row.records / row.floor.seconds:,.0f}",
        f"{row.records / row.backup.seconds:,.0f}",
        f"{row.rss_mb:.1f}",
        f"{row.backup.size_bytes / MB:.1f}",
    )


def table(rows: list[Row]) -> str:
    return render(HEADER, [_cells(row) for row in rows])


def render(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table, right-aligned, as Markdown reads it too."""
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [" | ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
            for line in lines]  # fmt: skip
    text.insert(1, "-|-".join("-" * width for width in widths))
    return "\n".join(text)


def verdict(passed: bool, target: str, detail: str) -> str:
    return f"{'PASS' if passed else 'MISS'}  {target}: {detail}"


def verdicts(rows: list[Row]) -> list[str]:
    """Ratios judged on the worst pair of rounds."""
    worst_ratio = max(row.rounds.worst for row in rows)
    worst_rss = max(row.rss_mb for row in rows)
    worst_encryption = max(row.encryption_ratio for row in rows)
    lines = [
        verdict(worst_ratio <= MAX_RATIO, f"ratio <= {MAX_RATIO}", f"worst {worst_ratio:.2f}"),
        _target_verdict(rows),
        verdict(
            worst_encryption <= MAX_ENCRYPTION_RATIO,
            f"encrypted / unencrypted <= {MAX_ENCRYPTION_RATIO}",
            f"worst {worst_encryption:.2f}",
        ),
        verdict(
            worst_rss <= MAX_RSS_MB, f"peak RSS <= {MAX_RSS_MB:.0f} MB", f"worst {worst_rss:.1f} MB"
        ),
    ]
    if len(rows) < 2:
        lines.append("n/a   peak RSS flat in N (give several --records to see it)")
    else:
        smallest, largest = rows[0], rows[-1]
        growth = largest.rss_mb - smallest.rss_mb
        detail = (
            f"{smallest.rss_mb:.1f} MB at N={smallest.records:,}, "
            f"{largest.rss_mb:.1f} MB at N={largest.records:,} ({growth:+.1f} MB)"
        )
        target = f"peak RSS flat in N (<= +{MAX_RSS_GROWTH_MB:.0f} MB)"
        lines.append(verdict(growth <= MAX_RSS_GROWTH_MB, target, detail))
    return lines


def _target_verdict(rows: list[Row]) -> str:
    target = f"ratio < {MAX_RATIO_AT_TARGET} at N >= {TARGET_RECORDS:,}"
    judged = [row for row in rows if row.records >= TARGET_RECORDS]
    if not judged:
        return f"n/a   {target} (give --records {TARGET_RECORDS})"
    worst = max(row.rounds.worst for row in judged)
    return verdict(worst < MAX_RATIO_AT_TARGET, target, f"worst pair {worst:.2f}")
