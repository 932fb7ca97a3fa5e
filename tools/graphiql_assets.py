"""Installs GraphiQL's browser files into server/admin/graphiql/vendor/ from the npm registry.

Each package is fetched with `npm pack` at an exact version and its tarball checked against the
sha512 integrity pinned below (the registry's `dist.integrity` when the pin was made), so a
changed or substituted tarball stops the step. Only the built files the page loads and the
package's licence are copied, each package in a folder of its own; the rest of the tarball
(sources, maps, type declarations) is left out, and so is a built file's reference to its
map (a browser's developer tools would ask for it and get a 404). The result is committed, so
neither a build nor the service needs the registry.

    python3 tools/graphiql_assets.py      (or `make graphiql-assets`)

To update: change a version, set its integrity from `npm view <name>@<version> dist.integrity`,
run the step, and check the page (tests/browser/test_graphiql.py).
"""

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "server" / "admin" / "graphiql" / "vendor"
# A built file's last-line comment naming its source map (`//# sourceMappingURL=...`).
SOURCE_MAP_COMMENT = re.compile(rb"\n//# sourceMappingURL=\S+\s*$")


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str
    # Paths inside the tarball's `package/` folder; each is copied under its base name.
    files: tuple[str, ...]


PACKAGES = (
    Package(
        "react",
        "18.3.1",
        "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
        ("umd/react.production.min.js", "LICENSE"),
    ),
    Package(
        "react-dom",
        "18.3.1",
        "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
        ("umd/react-dom.production.min.js", "LICENSE"),
    ),
    # The last major version with a UMD build (5.x ships only ES modules, to be bundled);
    # the build holds graphql-js, CodeMirror and the docs and history plugins.
    Package(
        "graphiql",
        "4.1.2",
        "sha512-rNlzQIAzm6i2KBXmVQWBgLvt0TloxFVB2d18bukvdsvjEuFDHsKx5IVOomL1W1o5WW+tE54+ioHb2AEKzO2cUg==",
        ("graphiql.min.js", "graphiql.min.css", "LICENSE"),
    ),
    Package(
        "graphql-ws",
        "6.4.2",
        "sha512-wxhPhhOGJo8PbGDkBYVE76sZLDrS+GkyrR4bZECSLVbo0pZZNKs0HtBh2Ip/uaUuiVUxwO9ssI9R92buQfNSqQ==",
        ("umd/graphql-ws.min.js", "LICENSE.md"),
    ),
)


def integrity_of(tarball: Path) -> str:
    """The Subresource Integrity form npm uses: `sha512-` and the base64 digest."""
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def pack(package: Package, into: Path) -> Path:
    """The package's tarball from the registry, through npm's own client and settings."""
    spec = f"{package.name}@{package.version}"
    subprocess.run(
        ["npm", "pack", spec, "--pack-destination", str(into), "--silent"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return into / f"{package.name}-{package.version}.tgz"


def check(package: Package, tarball: Path) -> None:
    found = integrity_of(tarball)
    if found != package.integrity:
        raise SystemExit(
            f"{package.name}@{package.version}: integrity {found} is not the pinned "
            f"{package.integrity}; nothing was installed"
        )


def install(package: Package, tarball: Path) -> None:
    target = VENDOR / package.name
    target.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        for name in package.files:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{package.name}@{package.version} has no file {name}")
            content = SOURCE_MAP_COMMENT.sub(b"\n", member.read())
            (target / Path(name).name).write_bytes(content)


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        tarballs = [(package, pack(package, Path(temporary))) for package in PACKAGES]
        # Every tarball is checked before the committed files are touched.
        for package, tarball in tarballs:
            check(package, tarball)
        shutil.rmtree(VENDOR, ignore_errors=True)
        for package, tarball in tarballs:
            install(package, tarball)
            print(f"{package.name}@{package.version}: {', '.join(package.files)}", file=sys.stderr)


if __name__ == "__main__":
    main()
