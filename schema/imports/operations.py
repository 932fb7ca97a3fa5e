"""The imports' root fields."""

from typing import Annotated

import strawberry

import resolvers.imports
from resolvers.context import Info
from schema.imports.types import Import
from schema.pagination import AFTER, FIRST, Connection


@strawberry.type
class ImportQueries:
    @strawberry.field(
        description="Uploaded files and finished restores, newest first. SUPER_ADMIN only (else "
        "FORBIDDEN)."
    )
    async def imports(
        self,
        info: Info,
        first: Annotated[int, FIRST] = 20,
        after: Annotated[str | None, AFTER] = None,
    ) -> Connection[Import]:
        page = await resolvers.imports.list_imports(info.context, first, after)
        return Connection.from_page(page, Import.from_model)

    @strawberry.field(
        name="import",
        description="One import of the account (else NOT_FOUND). SUPER_ADMIN only (else "
        "FORBIDDEN).",
    )
    async def import_(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The import's id.")],
    ) -> Import:
        return Import.from_model(await resolvers.imports.get_import(info.context, id))
