"""A schema of its own whose subscriptions fail, one with a domain error, one unexpectedly,
run through the project's `Schema` and error extension."""

from collections.abc import AsyncGenerator
from typing import Any

import strawberry

from schema import Schema
from schema.errors import ErrorCodes
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


schema = Schema(
    query=Query, subscription=Subscription, extensions=[lambda: ErrorCodes(suggestions=True)]
)


async def results(document: str) -> list[dict[str, Any]]:
    """Each result of the subscription, as its data and formatted errors."""
    stream = await schema.subscribe(document)
    return [
        {"data": result.data, "errors": [error.formatted for error in result.errors or []]}
        async for result in stream  # type: ignore[union-attr]
    ]
