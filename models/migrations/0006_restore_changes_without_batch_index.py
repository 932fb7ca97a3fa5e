from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('crm', '0005_restores_and_imports')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='RestoreChange',
            name=None,
            fields=['restore_id', 'batch'],
        ),
    ]
