"""The project's sources as the Dockerfile copies them into the image, to build a wheel from."""

import re
import shutil
from pathlib import Path

# What the Dockerfile copies into the image before `pip install /src`.
SOURCES = ("pyproject.toml", "README.md")
PACKAGES = re.compile(r"^COPY (\w+) /src/\1$", re.MULTILINE)


def copy_as_the_image_does(repo_root: Path, target: Path) -> list[str]:
    """Copies the sources into `target`; returns the packages copied."""
    packages = PACKAGES.findall((repo_root / "Dockerfile").read_text())
    for name in SOURCES:
        shutil.copy(repo_root / name, target / name)
    for package in packages:
        shutil.copytree(
            repo_root / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return packages


def files_under(root: Path, packages: list[str]) -> set[str]:
    """Every file of the packages, as a path relative to `root` (the names a wheel uses)."""
    return {
        path.relative_to(root).as_posix()
        for package in packages
        for path in (root / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
