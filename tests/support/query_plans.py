"""What PostgreSQL would do for a query: its plan, read without running it."""

from typing import TypeVar

from tortoise import connections
from tortoise.models import Model
from tortoise.queryset import QuerySet

M = TypeVar("M", bound=Model)


async def analyze(table: str) -> None:
    """Fresh statistics, so that the planner knows the rows a test has just written."""
    await connections.get("default").execute_script(f"ANALYZE {table}")


async def query_plan(queryset: QuerySet[M]) -> str:
    sql = queryset.sql(params_inline=True)
    _, rows = await connections.get("default").execute_query(f"EXPLAIN {sql}")
    return "\n".join(row["QUERY PLAN"] for row in rows)


async def statement_plan(sql: str, *arguments: object) -> str:
    """The plan of a statement of the product's own SQL, with its $n arguments."""
    async with connections.get("default").acquire_connection() as connection:
        rows = await connection.fetch(f"EXPLAIN {sql}", *arguments)
    return "\n".join(row["QUERY PLAN"] for row in rows)
