"""Unexpected errors: masked for the client, logged in full for the operator."""

import logging
from typing import Any

import pytest

from schema.errors import MASKED_MESSAGE


def masked(errors: list[dict[str, Any]]) -> None:
    """The errors of `{ users { ... } }` are one masked internal error."""
    assert errors == [
        {
            "message": MASKED_MESSAGE,
            "locations": [{"line": 1, "column": 3}],
            "path": ["users"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]


def logged_detail(caplog: pytest.LogCaptureFixture) -> str:
    """The one exception the GraphQL layer logged, as text."""
    [record] = [r for r in caplog.records if r.name == "crm_backup.graphql"]
    assert record.levelno == logging.ERROR and record.exc_info
    return str(record.exc_info[1])
