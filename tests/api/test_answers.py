import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from schema import build_schema
from server.graphql import GraphQLApp

AT = datetime(2026, 12, 1, 9, 30, 0, 123, tzinfo=UTC)


@pytest.mark.parametrize(
    "at",
    [AT, AT.replace(microsecond=0), AT.astimezone(timezone(timedelta(hours=1)))],
    ids=["microseconds", "whole seconds", "another offset"],
)
def test_date_times_are_written_as_isoformat_writes_them(at: datetime) -> None:
    app = GraphQLApp(build_schema(introspection=False))
    assert json.loads(app.encode_json({"at": at})) == {"at": at.isoformat()}
    # An integer beyond 64 bits sends the whole answer through `json` instead of orjson.
    answer = {"at": at, "size": 2**70}
    assert json.loads(app.encode_json(answer)) == {"at": at.isoformat(), "size": 2**70}
