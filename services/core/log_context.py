"""What each log line says it is about: the request or the job it belongs to, and the account
once known. Context variables, so that a request's or a job's own task (and the tasks it
starts) carry them, and no other task sees them."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_job_id: ContextVar[str | None] = ContextVar("job_id", default=None)
_account_id: ContextVar[str | None] = ContextVar("account_id", default=None)
# The API token a request or websocket operation came with, if any.
_api_token_id: ContextVar[str | None] = ContextVar("api_token_id", default=None)

_FIELDS = {
    "request_id": _request_id,
    "job_id": _job_id,
    "account_id": _account_id,
    "api_token_id": _api_token_id,
}


def fields() -> dict[str, str]:
    """The fields known here, by name."""
    return {name: value for name, field in _FIELDS.items() if (value := field.get()) is not None}


def set_request(request_id: str) -> None:
    """For the rest of the calling task: a request runs in a task of its own."""
    _request_id.set(request_id)


def set_account(account_id: object) -> None:
    """For the rest of the calling task, once the account is known."""
    _account_id.set(str(account_id))


def set_api_token(token_id: object) -> None:
    """For the rest of the calling task: what it does, it does with this API token."""
    _api_token_id.set(str(token_id))


def api_token_id() -> str | None:
    return _api_token_id.get()


@contextlib.contextmanager
def job(job_id: object) -> Iterator[None]:
    """For the block, with the account it sets once known: a job may be run from a task that
    goes on after it, so none of its fields may outlast it."""
    tokens = (_job_id.set(str(job_id)), _account_id.set(None))
    try:
        yield
    finally:
        _account_id.reset(tokens[1])
        _job_id.reset(tokens[0])
