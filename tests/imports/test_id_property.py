from pathlib import Path

import httpx

from tests.support.backups import backup_file, csv_rows
from tests.support.graphql import GraphQLClient
from tests.support.id_property import TICKETS, change_id_values, tickets_with_an_id_property
from tests.support.imports import csv_bytes, imported
from tests.support.records import values_of
from tests.support.tenants import Tenant


async def test_a_backup_with_a_property_called_id_imports_by_column_position(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant, tmp_path: Path
) -> None:
    tickets = await tickets_with_an_id_property(tenant, 10)
    content = await backup_file(gql, http, tenant.super_admin)
    path = tmp_path / "backup.zip"
    path.write_bytes(content)
    header = csv_rows(path)[f"{TICKETS}.csv"][0]
    assert header[0] == "id" and header.count("id") == 2
    await change_id_values(tickets)

    job = await imported(http, gql, tenant, content)
    assert job["status"] == "SUCCEEDED", job["failureReason"]
    assert (job["counts"]["updated"], job["counts"]["failed"]) == (10, 0)
    for record_id, value in tickets.items():
        assert (await values_of(record_id))["id"] == value


async def test_a_csv_with_a_column_called_id_imports_by_position(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    tickets = await tickets_with_an_id_property(tenant, 3)
    rows = [[str(record_id), f"imported {value}"] for record_id, value in tickets.items()]
    content = csv_bytes(["id", "id"], rows)

    job = await imported(http, gql, tenant, content, file_name="tickets.csv", object_type=TICKETS)
    assert job["status"] == "SUCCEEDED", job["failureReason"]
    assert job["counts"]["updated"] == 3
    for record_id, value in tickets.items():
        assert (await values_of(record_id))["id"] == f"imported {value}"
