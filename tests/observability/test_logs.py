"""One log format for the whole process, uvicorn's lines included, each line saying which
request or job it belongs to and, once known, which account."""

import logging
import re
from pathlib import Path

from server.logs import PlainFormatter
from services.core import log_context
from tests.support.cli import Serving, signed_in_to
from tests.support.logs import is_job_finish, log_lines
from tests.support.network import free_port

ACCOUNT = "{ account { id } }"
CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"


def test_json_lines_name_the_request_the_job_and_the_account(tmp_path: Path) -> None:
    port = free_port()
    served = Serving(tmp_path, port, LOG_FORMAT="json")
    try:
        with signed_in_to(served, port) as (http, auth):
            traced = http.post(
                "/graphql", json={"query": ACCOUNT}, headers={**auth, "X-Request-ID": "trace-42"}
            )
            insane = http.get("/health/live", headers={"X-Request-ID": "two words"})
            http.get("/downloads/refused/secret-token-42/contacts.csv")
            backup = http.post("/graphql", json={"query": CREATE_BACKUP}, headers=auth)
        account_id = traced.json()["data"]["account"]["id"]
        backup_id = backup.json()["data"]["createBackup"]["id"]
        served.line_where(lambda line: is_job_finish(line, backup_id), "the backup's finish")
    finally:
        assert served.stop() == 0

    assert traced.headers["x-request-id"] == "trace-42"
    assert re.fullmatch(r"[0-9a-f]{32}", insane.headers["x-request-id"])
    lines = log_lines(served.taken)
    assert {"uvicorn.error", "uvicorn.access"} <= {line["logger"] for line in lines}
    access = [line for line in lines if line.get("request_id") == "trace-42"]
    assert [line["logger"] for line in access] == ["uvicorn.access"]
    assert access[0]["account_id"] == account_id
    assert not [line for line in lines if "secret-token-42" in line["message"]]
    assert any("/downloads/refused/…/contacts.csv" in line["message"] for line in lines)
    job = [line["message"] for line in lines if line.get("job_id") == backup_id]
    assert all(line["account_id"] == account_id for line in lines if "job_id" in line)
    assert "started, attempt 1 of 3" in job[0]
    assert any(": contacts 100 % (" in message for message in job)
    assert " succeeded in " in job[-1]


def test_plain_lines_end_with_what_they_are_about() -> None:
    record = logging.LogRecord("crm", logging.INFO, __file__, 1, "Backup %s", ("done",), None)
    with log_context.job("job-1"):
        log_context.set_account("account-1")
        text = PlainFormatter().format(record)
    assert text.endswith("INFO crm: Backup done [job_id=job-1 account_id=account-1]")
    assert PlainFormatter().format(record).endswith("INFO crm: Backup done")
