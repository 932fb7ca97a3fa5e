"""Rounds measured in pairs: each measured round against the floor round run beside it.

Taking the best floor and the best measured round separately pairs two rounds that may have
run under different loads; a ratio per pair keeps the load alike on both sides of it, and the
worst pair says how far a bad moment of the machine moves it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Paired:
    """Seconds per round, the floor's and the product's, in the order they ran."""

    floors: list[float]
    measured: list[float]

    def __post_init__(self) -> None:
        if not self.floors or len(self.floors) != len(self.measured):
            raise ValueError("Each measured round needs the floor round beside it")

    @property
    def ratios(self) -> list[float]:
        return [m / f for f, m in zip(self.floors, self.measured, strict=True)]

    @property
    def best(self) -> float:
        return min(self.ratios)

    @property
    def worst(self) -> float:
        return max(self.ratios)

    def cells(self) -> tuple[str, str]:
        """The best and the worst pair's ratio, for a table."""
        return f"{self.best:.2f}", f"{self.worst:.2f}"
