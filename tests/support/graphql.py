"""GraphQL over real HTTP, and what tests read from an answer's errors."""

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx


class GraphQLClient:
    """Posts operations to /graphql over real HTTP."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        # ASCII JSON, so that any string reaches the server, a lone surrogate too.
        payload = json.dumps({"query": query, "variables": variables or {}})
        response = await self.http.post("/graphql", content=payload, headers=headers)
        assert response.headers["content-type"].startswith("application/json"), response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The operation's data; fails the test on any error."""
        body = await self.raw(query, variables, token)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> str:
        """The code of the operation's one error."""
        body = await self.raw(query, variables, token)
        assert body.get("errors"), f"expected an error, got {body}"
        codes = {error["extensions"]["code"] for error in body["errors"]}
        assert len(codes) == 1, body["errors"]
        return codes.pop()


@contextlib.asynccontextmanager
async def graphql_client(base_url: str) -> AsyncIterator[GraphQLClient]:
    """A GraphQLClient over an HTTP client of its own, for a server other than the suite's."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        yield GraphQLClient(http)


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    """The operation's one error, and no data."""
    assert body.get("data") is None, body
    [error] = body["errors"]
    return dict(error)


def refused_field(body: dict[str, Any]) -> str:
    """The field named by the answer's one error, a VALIDATION_FAILED."""
    error = only_error(body)
    assert error["extensions"]["code"] == "VALIDATION_FAILED", error
    return str(error["extensions"]["field"])


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def validation_messages(body: dict[str, Any]) -> list[str]:
    """The messages of a document refused before it ran."""
    assert body.get("data") is None, body
    assert {error["extensions"]["code"] for error in body["errors"]} == {
        "GRAPHQL_VALIDATION_FAILED"
    }
    return [error["message"] for error in body["errors"]]


def errors_with_id_hidden(body: dict[str, Any], named_id: str) -> Any:
    """The answer's errors with `named_id` written as <id>: an unknown id and another
    account's must answer alike but for the id itself."""
    return json.loads(json.dumps(body["errors"]).replace(named_id, "<id>"))
