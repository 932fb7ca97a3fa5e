"""Signed backup download links: fetched, tampered with, aged."""

import time
from typing import Any
from uuid import UUID

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from services.backups.service import DOWNLOAD_PURPOSE
from services.core.signing import LinkSigner, LinkTarget
from tests.support.graphql import GraphQLClient

DOWNLOAD_URL = "query($id: ID!) { backup(id: $id) { status downloadUrl } }"
DOWNLOADS = "/downloads/backups/"


def token_of(url: str) -> str:
    path = httpx.URL(url).path
    assert path.startswith(DOWNLOADS), url
    return path.removeprefix(DOWNLOADS)


async def download(http: httpx.AsyncClient, token: str) -> httpx.Response:
    response = await http.get(DOWNLOADS + token)
    assert response.headers["cache-control"] == "no-store"
    return response


def tampered(token: str) -> list[str]:
    """Tokens made from `token` that no signer of ours made."""
    # The payload may start with "." (compressed): split from the right.
    payload, timestamp, signature = token.rsplit(".", 2)
    # Not the last character of the signature: some of its bits may be padding.
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    other_payload = LinkSigner(b"x", DOWNLOAD_PURPOSE).sign(
        LinkTarget(UUID(int=1), UUID(int=2), UUID(int=3))
    )
    return [
        f"{payload}.{timestamp}.{flipped}",
        f"{other_payload.rsplit('.', 2)[0]}.{timestamp}.{signature}",
        f"{payload}.{timestamp}",
        "not-a-token",
    ]


def aged_token(secret: bytes, target: LinkTarget, age_seconds: int) -> str:
    """A download token as `LinkSigner` makes them, signed `age_seconds` ago."""

    class Aged(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    serializer = URLSafeTimedSerializer(secret, salt=DOWNLOAD_PURPOSE, signer=Aged)
    ids = [target.account_id, target.object_id, target.user_id]
    return serializer.dumps([str(value) for value in ids])


async def expect_expired(
    gql: GraphQLClient, http: httpx.AsyncClient, token: str, backup: Any
) -> None:
    """Past its 14 days: no new link, and an old one is gone (410)."""
    body = await gql.raw(DOWNLOAD_URL, {"id": backup["id"]}, token)
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BACKUP_EXPIRED"]
    assert (await download(http, token_of(backup["downloadUrl"]))).status_code == 410
