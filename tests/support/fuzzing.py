"""Operations generated from the SDL with arbitrary arguments, sent to a running server."""

import json
from pathlib import Path
from typing import Any

import graphql
import httpx
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

SDL = graphql.build_schema((Path(__file__).parents[2] / "schema.graphql").read_text())

# Sign the session out, so every later operation would stop at UNAUTHENTICATED.
SESSION_ENDING = {"logout"}
# Queue a backup that the embedded worker then writes to storage: slow, and rate limited to
# one per account and day, so it tells nothing after the first example.
FILE_PRODUCING = {"createBackup"}

# Well-formed date-times, with and without a time zone.
DATE_TIMES = st.datetimes(timezones=st.none() | st.timezones()).map(lambda at: at.isoformat())
# Names the domain knows, so that operations get past their lookups to the values they carry.
OBJECT_TYPES = ("contacts", "deals", "calls", "tasks")
PROPERTIES = ("firstname", "email", "lifecyclestage", "amount", "closedate", "hs_timestamp", "id")
KNOWN_NAMES = st.sampled_from(OBJECT_TYPES + PROPERTIES)
# Arbitrary text, but also NUL characters and text just over the columns' lengths.
TEXT = st.one_of(
    st.text(),
    KNOWN_NAMES,
    DATE_TIMES,
    st.lists(st.sampled_from(["a", "\x00", "é"]), max_size=8).map("".join),
    st.text(min_size=60, max_size=330),
)


def _custom_scalars(ids: list[str]) -> dict[str, st.SearchStrategy[Any]]:
    """`ids`: ids that exist, so that operations on them reach their arguments."""
    return {
        "String": TEXT.map(nodes.String),
        "ID": (st.sampled_from(ids) | st.text()).map(nodes.String),
        "DateTime": (DATE_TIMES | st.text(max_size=40)).map(nodes.String),
        "BigInt": st.integers(min_value=-(2**70), max_value=2**70).map(nodes.Int),
        "JSON": st.text(max_size=20).map(nodes.String),
    }


def _mutations_but(excluded: set[str]) -> list[str]:
    assert SDL.mutation_type is not None
    return [name for name in SDL.mutation_type.fields if name not in excluded]


def operations(ids: list[str]) -> st.SearchStrategy[str]:
    """Queries and mutations, but for those that end the session or produce files."""
    scalars = _custom_scalars(ids)
    return st.one_of(
        queries(SDL, custom_scalars=scalars),
        mutations(
            SDL,
            fields=_mutations_but(SESSION_ENDING | FILE_PRODUCING),
            custom_scalars=scalars,
        ),
    )


def post(client: httpx.Client, document: str, token: str) -> dict[str, Any]:
    """The answer to `document`; the body is ASCII JSON, so any string survives the trip."""
    response = client.post(
        "/graphql",
        content=json.dumps({"query": document}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    body: dict[str, Any] = response.json()
    return body
