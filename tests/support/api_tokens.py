"""API tokens for the tests: created, listed and revoked over the API, or aged in the database."""

from datetime import timedelta
from typing import Any

from models.accounts import ApiToken
from services.accounts import api_tokens
from services.core.clock import now
from tests.support.graphql import GraphQLClient, only_error

CREATE_TOKEN = """
mutation($name: String!, $scopes: [Scope!]!, $days: Int!) {
  createApiToken(name: $name, scopes: $scopes, expiresInDays: $days) {
    secret token { id name scopes createdBy { email } expiresAt revokedAt } } }"""
TOKENS = """{ apiTokens { id name scopes createdBy { email } createdAt expiresAt revokedAt
  lastUsedAt lastUsedAddress } }"""
REVOKE_TOKEN = "mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }"
BACKUPS = "{ backups(first: 10) { nodes { id } } }"
UPDATE_SCHEDULE = """mutation { updateBackupSchedule(enabled: true, frequency: WEEKLY) {
  enabled } }"""


async def create_token(
    gql: GraphQLClient, session: str, scopes: list[str], days: int = 30
) -> tuple[str, dict[str, Any]]:
    """A new token of the session's super admin: (its secret, the token as answered)."""
    variables = {"name": f"{'+'.join(scopes)} automation", "scopes": scopes, "days": days}
    created = (await gql.data(CREATE_TOKEN, variables, session))["createApiToken"]
    return created["secret"], created["token"]


async def listed(gql: GraphQLClient, session: str) -> list[dict[str, Any]]:
    tokens: list[dict[str, Any]] = (await gql.data(TOKENS, token=session))["apiTokens"]
    return tokens


async def revoke(gql: GraphQLClient, session: str, token_id: str) -> dict[str, Any]:
    revoked: dict[str, Any] = (await gql.data(REVOKE_TOKEN, {"id": token_id}, session))[
        "revokeApiToken"
    ]
    return revoked


async def refusal(
    gql: GraphQLClient, query: str, secret: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The one error an operation answers with the token, and no data."""
    return only_error(await gql.raw(query, variables, secret))


async def expire(secret: str) -> None:
    """The token expired a moment ago."""
    await ApiToken.filter(secret_hash=api_tokens.hash_secret(secret)).update(
        expires_at=now() - timedelta(seconds=1)
    )
