"""Errors raised inside a subscription's generator reach the client through `Schema.subscribe`
result by result, not through the end of the operation: they must be coded and masked there."""

import pytest

from schema.errors import MASKED_MESSAGE
from tests.support.failing_subscriptions import results


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
