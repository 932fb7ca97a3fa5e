"""Traces, when an OTLP collector is configured: a span per request and per job, sent to the
collector, and no download link's token in any of them."""

from pathlib import Path

from tests.support.cli import Serving, signed_in_to
from tests.support.logs import is_job_finish
from tests.support.network import free_port
from tests.support.otlp import TraceCollector

ACCOUNT = "{ account { id } }"
CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"


def test_requests_and_jobs_reach_the_collector_without_download_tokens(tmp_path: Path) -> None:
    port = free_port()
    with TraceCollector() as collector:
        # Spans are sent in batches; stopping the server sends what is left.
        served = Serving(
            tmp_path, port, LOG_FORMAT="json", OTEL_EXPORTER_OTLP_ENDPOINT=collector.url
        )
        try:
            with signed_in_to(served, port) as (http, auth):
                account = http.post("/graphql", json={"query": ACCOUNT}, headers=auth)
                http.get("/downloads/refused/secret-token-42/contacts.csv")
                backup = http.post("/graphql", json={"query": CREATE_BACKUP}, headers=auth)
            backup_id = backup.json()["data"]["createBackup"]["id"]
            served.line_where(lambda line: is_job_finish(line, backup_id), "the backup's finish")
        finally:
            assert served.stop() == 0

    spans = collector.spans
    assert {span.service_name for span in spans} == {"crm-backup"}
    assert sum(span.name == "POST /graphql" for span in spans) >= 3
    [job] = [span for span in spans if span.attributes.get("job.id") == backup_id]
    assert job.name == "export_backup"
    assert job.attributes["account.id"] == account.json()["data"]["account"]["id"]
    assert (job.attributes["job.outcome"], job.attributes["job.attempt"]) == ("succeeded", 1)
    assert "secret-token-42" not in repr(spans)
    assert "/downloads/refused/…/contacts.csv" in repr(spans)
