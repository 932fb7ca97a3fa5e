from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('crm', '0006_restore_changes_without_batch_index')]

    initial = False

    operations = [
        # Live records of an account by type: a backup counts them from this index alone
        # (an index-only scan), not from the table. Partial, so written as SQL.
        ops.RunSQL(
            "CREATE INDEX records_live_by_type ON records (account_id, object_type_id) "
            "WHERE deleted_at IS NULL",
            reverse_sql="DROP INDEX records_live_by_type",
        ),
    ]
