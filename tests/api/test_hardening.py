from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from strawberry.schema import schema as strawberry_schema
from strawberry.schema.schema import validate_document
from tortoise import connections
from websockets.exceptions import InvalidStatus

from models.accounts import Role, User
from schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from server.app import create_app
from server.settings import Settings
from services.activity import notifications
from tests.support.documents import TYPOS, Typo, aliased_reads, nested, read_with_tokens
from tests.support.graphql import GraphQLClient, graphql_client, validation_messages
from tests.support.masking import logged_detail, masked
from tests.support.notifications import unread_count
from tests.support.servers import Server, serving
from tests.support.tenants import Tenant
from tests.support.websocket import open_socket, signed_in

USERS = "{ users { email } }"


@pytest.fixture
async def unread_id(tenant: Tenant) -> str:
    """One unread notification of the super admin's: reading it is the side effect to watch."""
    [notification] = await notifications.notify_super_admins(tenant.account.id, "INFO", "Hello")
    return str(notification.id)


async def test_depth_limit(gql: GraphQLClient) -> None:
    at_limit = await gql.raw(nested(MAX_DEPTH))
    assert not any("depth" in message for message in validation_messages(at_limit))
    too_deep = await gql.raw(nested(MAX_DEPTH + 1))
    assert any("depth" in message for message in validation_messages(too_deep))


async def test_alias_limit(gql: GraphQLClient, tenant: Tenant, unread_id: str) -> None:
    too_many = await gql.raw(aliased_reads(MAX_ALIASES + 1, unread_id), token=tenant.super_admin)
    validation_messages(too_many)
    assert await unread_count(gql, tenant.super_admin) == 1

    allowed = await gql.data(aliased_reads(MAX_ALIASES, unread_id), token=tenant.super_admin)
    assert sum(allowed.values()) == 1
    assert await unread_count(gql, tenant.super_admin) == 0


async def test_token_limit(gql: GraphQLClient, tenant: Tenant, unread_id: str) -> None:
    too_long = await gql.raw(read_with_tokens(MAX_TOKENS + 1, unread_id), token=tenant.super_admin)
    validation_messages(too_long)
    assert await unread_count(gql, tenant.super_admin) == 1

    allowed = await gql.data(read_with_tokens(MAX_TOKENS - 10, unread_id), token=tenant.super_admin)
    assert allowed == {"markNotificationsRead": 1}


async def test_a_document_is_validated_once(
    gql: GraphQLClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = "{ objectTypes { name properties { name type } } }"
    await gql.data(document, token=tenant.member)
    # Kept with the document parsed from the text, by the schema and the rules: none is validated
    # again, so the limits' rules were not made anew either.
    validated: list[object] = []

    def validate(*arguments: Any) -> Any:
        validated.append(arguments[1])
        return validate_document(*arguments)

    monkeypatch.setattr(strawberry_schema, "validate_document", validate)
    second = await gql.data(document, token=tenant.member)
    assert {item["name"] for item in second["objectTypes"]} >= {"contacts", "deals"}
    assert validated == []
    await gql.data("{ objectTypes { name } }", token=tenant.member)
    assert len(validated) == 1


async def test_a_refused_document_is_refused_each_time(
    gql: GraphQLClient, tenant: Tenant, unread_id: str
) -> None:
    refused = [
        nested(MAX_DEPTH + 1),
        aliased_reads(MAX_ALIASES + 1, unread_id),
        read_with_tokens(MAX_TOKENS + 1, unread_id),
    ]
    for document in refused:
        first = await gql.raw(document, token=tenant.super_admin)
        again = await gql.raw(document, token=tenant.super_admin)
        assert validation_messages(again) == validation_messages(first), document
    assert await unread_count(gql, tenant.super_admin) == 1


async def test_no_mutation_over_get(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant, unread_id: str
) -> None:
    response = await http.get(
        "/graphql",
        params={"query": "mutation { markNotificationsRead }"},
        headers={"Authorization": f"Bearer {tenant.super_admin}", "Accept": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    assert await unread_count(gql, tenant.super_admin) == 1


async def test_body_size_limit(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    tenant: Tenant,
    unread_id: str,
    settings: Settings,
) -> None:
    body = {
        "query": "mutation { markNotificationsRead }",
        "variables": {"padding": "x" * settings.max_body_bytes},
    }
    headers = {"Authorization": f"Bearer {tenant.super_admin}"}
    response = await http.post("/graphql", json=body, headers=headers)
    assert response.status_code == 413
    assert await unread_count(gql, tenant.super_admin) == 1


@pytest.fixture
async def unknown_role(tenant: Tenant) -> AsyncIterator[None]:
    """A stored role this version does not know (as a newer release could write): loading that
    user fails inside a resolver, an honest unexpected error."""
    member_id = tenant.users[Role.MEMBER].id
    # Plain SQL: the model refuses to write the value. The id is a UUID, safe to inline.
    await connections.get("default").execute_script(
        f"UPDATE users SET role = 'AUDITOR' WHERE id = '{member_id}'"
    )
    yield
    await User.filter(id=member_id).update(role=Role.MEMBER)


@pytest.mark.usefixtures("unknown_role")
async def test_unexpected_error_is_masked_over_http(
    gql: GraphQLClient, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    body = await gql.raw(USERS, token=tenant.super_admin)
    masked(body["errors"])
    assert "AUDITOR" in logged_detail(caplog)


@pytest.mark.usefixtures("unknown_role")
async def test_unexpected_error_is_masked_over_websocket(
    server: Server, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(USERS)
        result = await socket.receive()
        assert result["id"] == operation_id and result["type"] == "next"
        masked(result["payload"]["errors"])
        assert await socket.receive() == {"id": operation_id, "type": "complete"}
    assert "AUDITOR" in logged_detail(caplog)


async def test_invalid_subscription_is_refused_with_a_code(server: Server, tenant: Tenant) -> None:
    async with signed_in(server.websocket_url, tenant.member) as socket:
        operation_id = await socket.subscribe("subscription { notifications { nope } }")
        result = await socket.receive()
    assert result["id"] == operation_id and result["type"] == "error"
    assert [error["extensions"]["code"] for error in result["payload"]] == [
        "GRAPHQL_VALIDATION_FAILED"
    ]


async def test_domain_error_keeps_message_and_code(gql: GraphQLClient, tenant: Tenant) -> None:
    body = await gql.raw('mutation { markNotificationsRead(ids: ["nope"]) }', token=tenant.member)
    assert [(error["message"], error["extensions"]) for error in body["errors"]] == [
        ("Nothing with the id 'nope'.", {"code": "NOT_FOUND"})
    ]


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_follows_the_setting(gql: GraphQLClient, settings: Settings) -> None:
    assert await gql.data(INTROSPECTION) == {"__schema": {"queryType": {"name": "Query"}}}

    # Validation alone decides, so the app's lifespan (database set-up) is not needed here.
    closed = create_app(settings.model_copy(update={"introspection": False}))
    transport = httpx.ASGITransport(app=closed)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        body = (await client.post("/graphql", json={"query": INTROSPECTION})).json()
        assert validation_messages(body)
        allowed = (await client.post("/graphql", json={"query": "{ __typename }"})).json()
        assert allowed == {"data": {"__typename": "Query"}}


@pytest.fixture(scope="module")
async def closed_gql(settings: Settings) -> AsyncIterator[GraphQLClient]:
    """A client of a server with introspection off, as in production. Validation and variable
    coercion decide alone, so the app's lifespan is not needed."""
    closed = create_app(settings.model_copy(update={"introspection": False}))
    async with serving(closed, lifespan="off") as running, graphql_client(running.url) as client:
        yield client


@pytest.mark.parametrize("typo", TYPOS.values(), ids=TYPOS.keys())
async def test_no_suggestions_without_introspection(closed_gql: GraphQLClient, typo: Typo) -> None:
    messages = validation_messages(await closed_gql.raw(typo.document, typo.variables))
    assert not [message for message in messages if "mean" in message]
    # What the client got wrong is still said.
    assert [message for message in messages if f"'{typo.misspelt}'" in message]


@pytest.mark.parametrize("typo", TYPOS.values(), ids=TYPOS.keys())
async def test_suggestions_with_introspection(gql: GraphQLClient, typo: Typo) -> None:
    messages = validation_messages(await gql.raw(typo.document, typo.variables))
    assert [message for message in messages if "Did you mean" in message]


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer forged"}, {"token": "x"}])
async def test_websocket_needs_a_valid_token(server: Server, payload: dict[str, str]) -> None:
    async with open_socket(server.websocket_url) as socket:
        await socket.init(payload)
        assert await socket.close_code() == 4403


async def test_websocket_from_another_origin_is_refused(server: Server) -> None:
    with pytest.raises(InvalidStatus) as refusal:
        async with open_socket(server.websocket_url, origin="https://elsewhere.example"):
            pass
    assert refusal.value.response.status_code == 403


async def test_websocket_without_connection_init_is_closed(settings: Settings) -> None:
    timeout = 0.2
    app = create_app(settings.model_copy(update={"ws_init_timeout_seconds": timeout}))
    async with (
        serving(app, lifespan="off") as running,
        open_socket(running.websocket_url) as socket,
    ):
        assert await socket.close_code(seconds=timeout + 2) == 4408
