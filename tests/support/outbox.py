"""The record change outbox of a topology's database, seen and written from outside its
processes."""

import json
import uuid

import asyncpg

INSERT = """
    INSERT INTO record_change_batches (account_id, object_type, changes, created_at)
    VALUES ($1, $2, $3::jsonb, now()) RETURNING id
"""
UNSENT = "SELECT count(*) FROM record_change_batches WHERE account_id = $1 AND sent_at IS NULL"
BATCHES = "SELECT count(*) FROM record_change_batches WHERE account_id = $1"


async def commit_changes(
    db: asyncpg.Connection, account_id: str, object_type: str, record_ids: list[str]
) -> int:
    """A batch of change events committed as a job's transaction leaves it; its id."""
    changes = [
        {"record_id": record_id, "object_type": object_type, "source": "RESTORE",
         "properties": ["amount"], "job_id": None}
        for record_id in record_ids
    ]  # fmt: skip
    return int(await db.fetchval(INSERT, uuid.UUID(account_id), object_type, json.dumps(changes)))


async def unsent(db: asyncpg.Connection, account_id: str) -> int:
    return int(await db.fetchval(UNSENT, uuid.UUID(account_id)))


async def batches(db: asyncpg.Connection, account_id: str) -> int:
    return int(await db.fetchval(BATCHES, uuid.UUID(account_id)))
