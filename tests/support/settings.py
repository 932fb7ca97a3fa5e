"""Settings as the tests build them: from what they pass, never from a developer's `.env`."""

from typing import Any

from server.settings import Settings


def isolated_settings(**values: Any) -> Settings:
    # pydantic-settings takes `_env_file` at construction, outside the declared fields.
    options: dict[str, Any] = {"_env_file": None, **values}
    return Settings(**options)
