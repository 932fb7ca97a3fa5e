"""The wheel, built from the same sources the Dockerfile copies, holds every file the service
needs at run time: an editable install reads the checkout and would hide a missing one."""

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

# What the Dockerfile copies into the image before `pip install /src`.
SOURCES = ("pyproject.toml", "README.md")
PACKAGES = re.compile(r"^COPY (\w+) /src/\1$", re.MULTILINE)


def _copy_as_the_image_does(repo_root: Path, target: Path) -> list[str]:
    packages = PACKAGES.findall((repo_root / "Dockerfile").read_text())
    for name in SOURCES:
        shutil.copy(repo_root / name, target / name)
    for package in packages:
        shutil.copytree(
            repo_root / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return packages


def _files_under(root: Path, packages: list[str]) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for package in packages
        for path in (root / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_the_wheel_holds_every_file_of_the_packages(
    repo_root: Path, db_kind: str, tmp_path: Path
) -> None:
    if db_kind != "sqlite":
        pytest.skip("runs once, in the SQLite pass: the wheel does not depend on the database")
    source, built = tmp_path / "src", tmp_path / "dist"
    source.mkdir()
    packages = _copy_as_the_image_does(repo_root, source)
    assert {"server", "services", "models"} <= set(packages)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", built, source],
        check=True,
        timeout=300,
    )
    [wheel] = built.glob("crm_backup-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())

    missing = sorted(_files_under(source, packages) - in_wheel)

    assert not missing, f"not in the wheel: {missing}"
    assert "server/admin/index.html" in in_wheel
