"""What the domain needs from the process it runs in, set once at start-up."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True)
class SsoConfig:
    """The OpenID Connect identity provider whose ID tokens sign users in."""

    issuer: str
    audience: str
    # The provider's signing keys (a JWKS document): a local file, or a URL fetched and cached.
    jwks_file: Path | None = None
    jwks_url: str | None = None


@dataclass(frozen=True)
class Environment:
    database_url: str
    # Scratch space for files being built (exports) before they go to storage.
    work_dir: Path
    secret: bytes
    # A running job renews its lease well within this; one left to lapse means its worker died.
    job_lease: timedelta = timedelta(seconds=60)
    # None: single sign-on is not offered.
    sso: SsoConfig | None = None
    # Object types a backup exports at once, each on a database connection of its own
    # (PostgreSQL; SQLite exports one at a time).
    export_streams: int = 1


_current: Environment | None = None


def configure(environment: Environment) -> None:
    global _current
    environment.work_dir.mkdir(parents=True, exist_ok=True)
    _current = environment


def current() -> Environment:
    if _current is None:
        raise RuntimeError("services.core.environment.configure() has not been called")
    return _current
