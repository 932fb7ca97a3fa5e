"""The root types, composed from each domain's operations (`schema/<domain>/operations.py`)."""

from strawberry.tools import merge_types

from schema.accounts.operations import AccountMutations, AccountQueries
from schema.activity.operations import ActivityMutations, ActivityQueries, ActivitySubscriptions
from schema.backups.operations import BackupMutations, BackupQueries
from schema.crm.operations import CrmMutations, CrmQueries, CrmSubscriptions
from schema.imports.operations import ImportQueries
from schema.jobs.operations import JobSubscriptions
from schema.restores.operations import RestoreMutations, RestoreQueries

Query = merge_types(
    "Query",
    (
        AccountQueries,
        CrmQueries,
        ActivityQueries,
        BackupQueries,
        RestoreQueries,
        ImportQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (AccountMutations, CrmMutations, ActivityMutations, BackupMutations, RestoreMutations),
)
Subscription = merge_types(
    "Subscription", (ActivitySubscriptions, CrmSubscriptions, JobSubscriptions)
)
