"""The wheel, built from the same sources the Dockerfile copies, holds every file the service
needs at run time: an editable install reads the checkout and would hide a missing one."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from server.admin import GRAPHIQL_PAGE
from tests.support.graphiql import loaded_files
from tests.support.packaging import copy_as_the_image_does, files_under


def test_the_wheel_holds_every_file_of_the_packages(
    repo_root: Path, db_kind: str, tmp_path: Path
) -> None:
    if db_kind != "sqlite":
        pytest.skip("runs once, in the SQLite pass: the wheel does not depend on the database")
    source, built = tmp_path / "src", tmp_path / "dist"
    source.mkdir()
    packages = copy_as_the_image_does(repo_root, source)
    assert {"server", "services", "models"} <= set(packages)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", built, source],
        check=True,
        timeout=300,
    )
    [wheel] = built.glob("crm_backup-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())

    missing = sorted(files_under(source, packages) - in_wheel)

    assert not missing, f"not in the wheel: {missing}"
    assert "server/admin/index.html" in in_wheel
    # GraphiQL's page and every file it loads: the service serves them, never a CDN.
    graphiql = loaded_files(GRAPHIQL_PAGE.read_text())
    assert "server/admin/graphiql/vendor/react/react.production.min.js" in graphiql
    assert graphiql | {"server/admin/graphiql/index.html"} <= in_wheel
    # Each package the page loads from ships with its licence.
    for package in {name.rsplit("/", 1)[0] for name in graphiql if "/vendor/" in name}:
        assert any(name.startswith(f"{package}/LICENSE") for name in in_wheel), package
