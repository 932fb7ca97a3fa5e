"""The imports' root fields."""

import strawberry

import resolvers.imports
from resolvers.context import Info
from schema.imports.types import Import
from schema.pagination import Connection


@strawberry.type
class ImportQueries:
    @strawberry.field(
        description="Uploaded files and finished restores, newest first (SUPER_ADMIN)."
    )
    async def imports(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> Connection[Import]:
        page = await resolvers.imports.list_imports(info.context, first, after)
        return Connection.from_page(page, Import.from_model)

    @strawberry.field(name="import", description="SUPER_ADMIN.")
    async def import_(self, info: Info, id: strawberry.ID) -> Import:
        return Import.from_model(await resolvers.imports.get_import(info.context, id))
