"""Settings from environment variables (and an optional `.env`), validated at start-up."""

import logging
import os
import secrets
from datetime import timedelta
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.accounts import LoginLimits
from services.core.database import is_postgres
from services.core.environment import SsoConfig
from services.storage import Keyring, new_entry

log = logging.getLogger(__name__)

VAR_DIR = Path("var")
# Streams beyond the cores only queue for them, and each holds a database connection.
MAX_EXPORT_STREAMS = 8


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite://{VAR_DIR}/crm-backup.sqlite3",
        description="sqlite://PATH (embedded) or postgres://USER:PASSWORD@HOST:PORT/DB",
    )
    redis_url: str | None = Field(
        default=None, description="redis://HOST:PORT/DB; unset runs jobs and events in-process"
    )
    redis_timeout_seconds: float = Field(
        default=1.0,
        gt=0,
        le=30,
        description="the longest a Redis call waits for an answer (each is tried twice at most)",
    )
    storage_dir: Path = VAR_DIR / "backups"
    storage_url: str | None = Field(
        default=None,
        description="s3://bucket/prefix for S3-compatible storage (AWS_* variables configure it)",
    )
    work_dir: Path = Field(default=VAR_DIR / "work", description="scratch space for exports")
    backup_export_streams: int = Field(
        default_factory=lambda: min(os.cpu_count() or 1, MAX_EXPORT_STREAMS),
        ge=1,
        le=MAX_EXPORT_STREAMS,
        description="object types a backup exports at once on PostgreSQL, each on a database "
        "connection of its own (default: the machine's cores, at most 8)",
    )
    secret_key: SecretStr | None = Field(
        default=None, description="32+ characters; required in production, generated when embedded"
    )
    backup_keys: SecretStr | None = Field(
        default=None,
        description="id:key entries (comma-separated, the first current) encrypting stored files",
    )
    backup_key_file: Path | None = Field(
        default=None, description="or a file of id:key lines, the first current"
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    graphiql: bool | None = Field(default=None, description="defaults to on when embedded")
    introspection: bool | None = Field(default=None, description="defaults to on when embedded")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated origins allowed over HTTP and websockets"
    )
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    max_import_bytes: int = Field(
        default=2 << 30, ge=1_000, description="the largest upload to POST /imports, in bytes"
    )
    ws_init_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    header_read_timeout_seconds: float = Field(
        default=20,
        gt=0,
        le=300,
        description="the longest a connection may take to send a request's headers",
    )
    body_read_timeout_seconds: float = Field(
        default=20, gt=0, le=300, description="the longest wait for the next piece of a body"
    )
    body_min_bytes_per_second: float = Field(
        default=1_000, gt=0, description="the slowest average a body may arrive at, after that"
    )
    max_connections: int = Field(
        default=1_000, ge=1, description="open connections served at once; more are answered 503"
    )
    seed_demo: bool = Field(default=True, description="create the demo account on first start")
    metrics_enabled: bool = Field(default=True, description="serve GET /metrics")
    metrics_token: SecretStr | None = Field(
        default=None,
        description="a bearer token /metrics requires; unset, it answers this machine only",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="worker and scheduler: serve their own /metrics on HOST at this port",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description="an OTLP/HTTP collector (e.g. http://127.0.0.1:4318): traces of requests "
        "and jobs go there; unset, none are made (needs the `tracing` extra)",
    )
    otel_service_name: str = Field(
        default="crm-backup", description="the service name the traces carry"
    )
    log_format: Literal["json", "plain"] | None = Field(
        default=None, description="json or plain; defaults to plain when embedded, else json"
    )
    job_lease_seconds: float = Field(
        default=60, gt=0, description="a job whose worker stops renewing this long is taken again"
    )
    scheduler_interval_seconds: float = Field(
        default=30, gt=0, description="between housekeeping passes (lost jobs, expiry, schedules)"
    )
    login_free_attempts: int = Field(
        default=5, ge=1, description="wrong passwords per email before sign-in locks"
    )
    login_free_attempts_per_address: int = Field(
        default=50, ge=1, description="wrong passwords per client address before it locks"
    )
    login_lockout_seconds: float = Field(
        default=30, gt=0, description="the first lockout; each further failure doubles it"
    )
    login_max_lockout_seconds: float = Field(default=900, gt=0, description="the longest lockout")
    login_window_seconds: float = Field(
        default=3600, gt=0, description="wrong passwords are forgotten this long after the latest"
    )
    sso_issuer: str | None = Field(
        default=None, description="OpenID Connect issuer whose ID tokens loginWithSso accepts"
    )
    sso_audience: str | None = Field(
        default=None, description="the client id those ID tokens must be issued to"
    )
    sso_jwks_file: Path | None = Field(default=None, description="the issuer's keys (JWKS JSON)")
    sso_jwks_url: str | None = Field(
        default=None, description="or where to fetch them (cached for 5 minutes)"
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        if not (url.startswith("sqlite://") or is_postgres(url)):
            raise ValueError("must start with sqlite:// or postgres://")
        return url

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("storage_url")
    @classmethod
    def _known_storage(cls, url: str | None) -> str | None:
        if url and not url.startswith("s3://"):
            raise ValueError("must start with s3://")
        return url or None

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, url: str | None) -> str | None:
        if url and not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return url or None

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _token_worth_its_name(cls, token: object) -> object:
        # Empty (as `${METRICS_TOKEN:-}` in docker-compose.yml leaves it) means none.
        if isinstance(token, str) and not token:
            return None
        if isinstance(token, str) and len(token) < 16:
            raise ValueError("must have at least 16 characters")
        return token

    @field_validator("sso_jwks_url")
    @classmethod
    def _keys_over_tls(cls, url: str | None) -> str | None:
        # Whoever can alter the keys in transit can sign in as anyone.
        parts = urlsplit(url or "")
        local = parts.scheme == "http" and parts.hostname in {"localhost", "127.0.0.1", "::1"}
        if url and parts.scheme != "https" and not local:
            raise ValueError("must start with https:// (http:// only to localhost)")
        return url or None

    @model_validator(mode="after")
    def _sso_complete(self) -> "Settings":
        keys = [source for source in (self.sso_jwks_file, self.sso_jwks_url) if source]
        if not (self.sso_issuer or self.sso_audience or keys):
            return self
        if not (self.sso_issuer and self.sso_audience and len(keys) == 1):
            raise ValueError(
                "SSO needs SSO_ISSUER, SSO_AUDIENCE and one of SSO_JWKS_FILE or SSO_JWKS_URL"
            )
        if self.sso_jwks_file and not self.sso_jwks_file.is_file():
            raise ValueError(f"SSO_JWKS_FILE: {self.sso_jwks_file} is not a file")
        return self

    @model_validator(mode="after")
    def _lockouts_ordered(self) -> "Settings":
        # A lockout must end before the failures that caused it are forgotten.
        if not (
            self.login_lockout_seconds
            <= self.login_max_lockout_seconds
            <= self.login_window_seconds
        ):
            raise ValueError(
                "LOGIN_LOCKOUT_SECONDS <= LOGIN_MAX_LOCKOUT_SECONDS <= LOGIN_WINDOW_SECONDS"
            )
        return self

    @field_validator("backup_keys")
    @classmethod
    def _keys_parse(cls, keys: SecretStr | None) -> SecretStr | None:
        if keys is not None:
            Keyring.parse(keys.get_secret_value())
        return keys

    @field_validator("backup_key_file")
    @classmethod
    def _key_file_parses(cls, path: Path | None) -> Path | None:
        if path is not None:
            try:
                Keyring.parse(path.read_text())
            except OSError as error:
                raise ValueError(f"cannot be read: {error.strerror}") from None
        return path

    @model_validator(mode="after")
    def _production_needs_secret(self) -> "Settings":
        key = self.secret_key.get_secret_value() if self.secret_key else None
        if key is not None and len(key) < 32:
            raise ValueError("SECRET_KEY must have at least 32 characters")
        if not self.embedded and key is None:
            raise ValueError("SECRET_KEY is required when REDIS_URL is set (production mode)")
        return self

    @model_validator(mode="after")
    def _tracing_needs_its_packages(self) -> "Settings":
        if self.otel_exporter_otlp_endpoint is not None and find_spec("opentelemetry.sdk") is None:
            raise ValueError(
                "OTEL_EXPORTER_OTLP_ENDPOINT is set, but the tracing packages are not "
                "installed: pip install 'crm-backup[tracing]'"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_backup_keys(self) -> "Settings":
        if self.backup_keys is not None and self.backup_key_file is not None:
            raise ValueError("set BACKUP_KEYS or BACKUP_KEY_FILE, not both")
        if not self.embedded and self.backup_keys is None and self.backup_key_file is None:
            # Each machine would otherwise generate a key of its own.
            raise ValueError(
                "BACKUP_KEYS or BACKUP_KEY_FILE is required when REDIS_URL is set (production mode)"
            )
        return self

    @property
    def embedded(self) -> bool:
        """No Redis: jobs run in-process and events stay in this process."""
        return self.redis_url is None

    @property
    def metrics_token_value(self) -> str | None:
        return self.metrics_token.get_secret_value() if self.metrics_token else None

    @property
    def log_format_chosen(self) -> Literal["json", "plain"]:
        if self.log_format is not None:
            return self.log_format
        return "plain" if self.embedded else "json"

    @property
    def graphiql_enabled(self) -> bool:
        return self.embedded if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.embedded if self.introspection is None else self.introspection

    @property
    def sso(self) -> SsoConfig | None:
        if not (self.sso_issuer and self.sso_audience):
            return None
        return SsoConfig(
            issuer=self.sso_issuer,
            audience=self.sso_audience,
            jwks_file=self.sso_jwks_file,
            jwks_url=self.sso_jwks_url,
        )

    @property
    def login_limits(self) -> LoginLimits:
        return LoginLimits(
            free_attempts=self.login_free_attempts,
            free_attempts_per_address=self.login_free_attempts_per_address,
            first_lockout=timedelta(seconds=self.login_lockout_seconds),
            max_lockout=timedelta(seconds=self.login_max_lockout_seconds),
            window=timedelta(seconds=self.login_window_seconds),
        )

    @cached_property
    def keyring(self) -> Keyring:
        """The keys stored files are encrypted under: BACKUP_KEYS, BACKUP_KEY_FILE, or one
        generated once and kept under ./var when embedded."""
        if self.backup_keys is not None:
            return Keyring.parse(self.backup_keys.get_secret_value())
        path = self.backup_key_file or VAR_DIR / "backup-keys"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(new_entry("local-1") + "\n")
            path.chmod(0o600)
            log.warning(
                "Generated the key that encrypts stored backups into %s: keep a copy of it "
                "apart from the backups, which cannot be read without it",
                path,
            )
        return Keyring.parse(path.read_text())

    @cached_property
    def secret(self) -> bytes:
        """The signing key: SECRET_KEY, or one generated once and kept under ./var when embedded."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = VAR_DIR / "secret.key"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()
