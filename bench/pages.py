"""The records-page benchmark: a page of 50 contacts with their properties, unfiltered and
filtered, through the API in process against its floor.

Product: the GraphQL ASGI app called in process as a server calls it (`bench.in_process`: no
network, no client): the bearer token's session read, parsing and validation, the resolvers'
queries, execution and the JSON answer. Floor: the page's one SELECT over asyncpg, on a
connection set as the service's (no JIT), the rows fetched and nothing built from them. The
floors and the APIs of every case alternate request by request, so that anything else running
on the machine hits them all alike; p50 and p99 of each are reported.
"""

import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
import orjson
from starlette.types import ASGIApp

from bench import database, in_process, report
from bench.sessions import session_token
from models.accounts import Role
from models.crm import ObjectType
from server import memory
from server.graphql import graphql_app
from server.settings import Settings
from services import crm

PAGE_SIZE = 50
SAMPLES = 300
WARM_UP = 30
# Targets of a 50-record page: the API within this many times its SQL, and this many ms.
MAX_RATIO = 5.0
MAX_P50_MS = 10.0
# A filtered page may cost this many times the unfiltered page's SQL.
MAX_FILTERED_RATIO = 2.0
TARGET_RECORDS = 1_000_000

QUERY = """
query Page($type: String!, $first: Int!, $filter: RecordFilterInput) {
  records(objectType: $type, first: $first, filter: $filter) {
    edges { cursor node { id createdAt updatedAt properties { name value } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
FLOOR = """
    SELECT id, created_at, updated_at, deleted_at, properties FROM records
    WHERE account_id = $1 AND object_type_id = $2 AND deleted_at IS NULL
    ORDER BY id LIMIT $3
"""
# A filtered page's floor: the product's own statement (the window, then the index when the
# window falls short; services/crm/record_pages.py says why), the rows fetched and nothing built.
FILTERED_FLOOR = crm.property_page_statement((), PAGE_SIZE + 1)


@dataclass(frozen=True)
class Case:
    """One page asked for: its name in the table and the filter's property values."""

    name: str
    equals: dict[str, str]


@dataclass(frozen=True)
class PageRow:
    records: int
    case: str
    rows: int
    floor_ms: list[float]
    api_ms: list[float]

    @property
    def floor_p50(self) -> float:
        return statistics.median(self.floor_ms)

    @property
    def api_p50(self) -> float:
        return statistics.median(self.api_ms)

    @property
    def ratio(self) -> float:
        return self.api_p50 / self.floor_p50


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[-1]


async def cases(connection: asyncpg.Connection, contacts_id: UUID) -> list[Case]:
    """The unfiltered page; a lookup (one email, a page or so of contacts); and a common value
    (the most frequent lifecycle stage, a sixth of the contacts or more)."""
    email = await connection.fetchval(
        "SELECT properties->>'email' FROM records WHERE object_type_id = $1 "
        "AND properties ? 'email' ORDER BY id DESC LIMIT 1",
        contacts_id,
    )
    return [
        Case("page", {}),
        Case("filtered page: email", {"email": email}),
        Case("filtered page: lifecyclestage", {"lifecyclestage": "customer"}),
    ]


async def measure(
    url: str, settings: Settings, account_id: UUID, records: int, samples: int = SAMPLES
) -> list[PageRow]:
    contacts = await ObjectType.get(account_id=account_id, name="contacts")
    token = await session_token(account_id, Role.MEMBER)
    connection = await database.connect_as_the_service(url)
    app = graphql_app(settings)
    # As the server does once it is ready to serve (its lifespan).
    memory.collect_less_often()
    try:
        measured = [
            _Measured(
                case, _floor(connection, account_id, contacts.id, case), _api(app, token, case)
            )
            for case in await cases(connection, contacts.id)
        ]
        return await _alternate(records, measured, samples)
    finally:
        await connection.close()


# One request: the rows it read and the seconds it took.
Timed = Callable[[], Awaitable[tuple[int, float]]]


def _floor(
    connection: asyncpg.Connection, account_id: UUID, contacts_id: UUID, case: Case
) -> Timed:
    equals = json.dumps(case.equals)

    async def run() -> tuple[int, float]:
        started = time.perf_counter()
        if case.equals:
            rows = await connection.fetch(
                FILTERED_FLOOR, equals, account_id, contacts_id, crm.BEFORE_ANY_ID
            )
        else:
            rows = await connection.fetch(FLOOR, account_id, contacts_id, PAGE_SIZE + 1)
        return min(len(rows), PAGE_SIZE), time.perf_counter() - started

    return run


def _api(app: ASGIApp, token: str, case: Case) -> Timed:
    variables: dict[str, Any] = {"type": "contacts", "first": PAGE_SIZE}
    if case.equals:
        equals = [{"name": name, "value": value} for name, value in case.equals.items()]
        variables["filter"] = {"propertyEquals": equals}
    body = orjson.dumps({"query": QUERY, "variables": variables})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def run() -> tuple[int, float]:
        started = time.perf_counter()
        response = await in_process.post(app, "/graphql", body, headers)
        seconds = time.perf_counter() - started
        # Reading the answer is the client's work, not timed.
        answer = orjson.loads(response.body)
        if response.status != 200 or answer.get("errors"):
            raise RuntimeError(f"The page failed: {response.status} {response.body[:500]!r}")
        return len(answer["data"]["records"]["edges"]), seconds

    return run


@dataclass
class _Measured:
    """One case's requests, and their times so far."""

    case: Case
    floor: Timed
    api: Timed
    floor_ms: list[float] = field(default_factory=list)
    api_ms: list[float] = field(default_factory=list)
    rows: int = 0

    async def once(self, kept: bool) -> None:
        floor_rows, floor_seconds = await self.floor()
        self.rows, api_seconds = await self.api()
        if floor_rows != self.rows:
            name = self.case.name
            raise RuntimeError(f"{name}: the floor read {floor_rows}, the API {self.rows}")
        if kept:
            self.floor_ms.append(floor_seconds * 1000)
            self.api_ms.append(api_seconds * 1000)


async def _alternate(records: int, measured: list[_Measured], samples: int) -> list[PageRow]:
    """Every case's floor and API in turn, request by request: the filtered pages' SQL is
    compared with the page's, so all of them are sampled over the same stretch of time."""
    for number in range(WARM_UP + samples):
        for case in measured:
            await case.once(kept=number >= WARM_UP)
    return [
        PageRow(records, case.case.name, case.rows, case.floor_ms, case.api_ms) for case in measured
    ]


HEADER = (
    "N",
    "page",
    "rows",
    "SQL p50 ms",
    "SQL p99 ms",
    "API p50 ms",
    "API p99 ms",
    "ratio (p50)",
)


def table(rows: list[PageRow]) -> str:
    return report.render(
        HEADER,
        [
            (
                f"{row.records:,}",
                row.case,
                f"{row.rows}",
                f"{row.floor_p50:.2f}",
                f"{_p99(row.floor_ms):.2f}",
                f"{row.api_p50:.2f}",
                f"{_p99(row.api_ms):.2f}",
                f"{row.ratio:.2f}",
            )
            for row in rows
        ],
    )


def verdicts(rows: list[PageRow]) -> list[str]:
    unfiltered = [row for row in rows if row.case == "page"]
    worst_ratio = max(row.ratio for row in unfiltered)
    worst_p50 = max(row.api_p50 for row in unfiltered)
    lines = [
        report.verdict(
            worst_ratio <= MAX_RATIO,
            f"page API p50 <= {MAX_RATIO:.0f}x its SQL",
            f"worst {worst_ratio:.2f}",
        ),
        report.verdict(
            worst_p50 <= MAX_P50_MS,
            f"page API p50 <= {MAX_P50_MS:.0f} ms",
            f"worst {worst_p50:.2f} ms",
        ),
    ]
    judged = [row for row in rows if row.records >= TARGET_RECORDS]
    target = (
        f"filtered page SQL p50 <= {MAX_FILTERED_RATIO:.0f}x the page's at N >= {TARGET_RECORDS:,}"
    )
    if not judged:
        return [*lines, f"n/a   {target} (give --records {TARGET_RECORDS})"]
    worst = max(_filtered_ratios(judged))
    return [*lines, report.verdict(worst <= MAX_FILTERED_RATIO, target, f"worst {worst:.2f}")]


def _filtered_ratios(rows: list[PageRow]) -> list[float]:
    """Each page's SQL against the unfiltered page's of the same round (`measure` lists that
    one first), not of another round: the floors move from round to round."""
    ratios = []
    for row in rows:
        if row.case == "page":
            page = row.floor_p50
        ratios.append(row.floor_p50 / page)
    return ratios
