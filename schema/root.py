"""The root types, composed from each domain's operations (`schema/<domain>/operations.py`)."""

from strawberry.tools import merge_types
from strawberry.types.base import get_object_definition

from schema.accounts.operations import AccountMutations, AccountQueries
from schema.activity.operations import ActivityMutations, ActivityQueries, ActivitySubscriptions
from schema.backups.operations import BackupMutations, BackupQueries
from schema.comparisons.operations import ComparisonMutations, ComparisonQueries
from schema.crm.operations import CrmMutations, CrmQueries, CrmSubscriptions
from schema.imports.operations import ImportQueries
from schema.jobs.operations import JobSubscriptions
from schema.restores.operations import RestoreMutations, RestoreQueries


def _described(root: type, description: str) -> type:
    """GraphiQL's documentation pane opens on the root types' descriptions."""
    definition = get_object_definition(root, strict=True)
    definition.description = description
    return root


Query = _described(
    merge_types(
        "Query",
        (
            AccountQueries,
            CrmQueries,
            ActivityQueries,
            BackupQueries,
            RestoreQueries,
            ComparisonQueries,
            ImportQueries,
        ),
    ),
    "What may be read, over POST or the websocket. Every field needs a session (`Authorization: "
    "Bearer <token>`, from `login`), and answers from the signed-in user's account only.",
)
Mutation = _described(
    merge_types(
        "Mutation",
        (
            AccountMutations,
            CrmMutations,
            ActivityMutations,
            BackupMutations,
            RestoreMutations,
            ComparisonMutations,
        ),
    ),
    "What may be changed, over POST only (over the websocket: POST_REQUIRED). Every field but "
    "`login`, `acceptInvitation` and `loginWithSso` needs a session.",
)
Subscription = _described(
    merge_types("Subscription", (ActivitySubscriptions, CrmSubscriptions, JobSubscriptions)),
    "Live streams, over the websocket at /graphql (graphql-transport-ws), whose "
    "`connection_init` payload carries `Authorization: Bearer <token>`. The socket closes "
    "(4401) when its session ends, and (4403) when the user's role changes.",
)
