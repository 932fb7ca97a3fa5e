"""Errors raised inside a subscription's generator reach the client through `Schema.subscribe`
result by result, not through the end of the operation: they must be coded and masked there."""

from collections.abc import AsyncGenerator
from typing import Any

import pytest
import strawberry

from schema import Schema
from schema.errors import MASKED_MESSAGE, ErrorCodes
from services.core.errors import Forbidden


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def refused(self) -> AsyncGenerator[int, None]:
        raise Forbidden("Not for you.")
        yield 0  # makes this function a generator

    @strawberry.subscription
    async def breaks(self) -> AsyncGenerator[int, None]:
        yield 1
        raise RuntimeError("connection to 10.0.0.7 lost")


schema = Schema(query=Query, subscription=Subscription, extensions=[ErrorCodes])


async def results(document: str) -> list[dict[str, Any]]:
    stream = await schema.subscribe(document)
    return [
        {"data": result.data, "errors": [error.formatted for error in result.errors or []]}
        async for result in stream  # type: ignore[union-attr]
    ]


async def test_domain_error_keeps_its_message_and_code() -> None:
    [result] = await results("subscription { refused }")
    assert result["errors"] == [{"message": "Not for you.", "extensions": {"code": "FORBIDDEN"}}]


async def test_unexpected_error_is_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    first, failure = await results("subscription { breaks }")
    assert first == {"data": {"breaks": 1}, "errors": []}
    assert failure["errors"] == [
        {"message": MASKED_MESSAGE, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
    ]
    [record] = [r for r in caplog.records if r.name == "crm_backup.graphql"]
    assert record.exc_info and "10.0.0.7" in str(record.exc_info[1])


async def test_invalid_subscription_is_a_validation_failure() -> None:
    [result] = await results("subscription { nothing }")
    assert [error["extensions"] for error in result["errors"]] == [
        {"code": "GRAPHQL_VALIDATION_FAILED"}
    ]
