from tortoise import migrations
from tortoise.migrations import operations as ops
from models.ids import new_id
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('crm', '0016_backup_policies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RestoreAssociation',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=new_id, unique=True, db_index=True)),
                ('restore', fields.ForeignKeyField('crm.Restore', source_field='restore_id', db_constraint=True, to_field='id', related_name='associations_added', on_delete=OnDelete.CASCADE)),
                ('batch', fields.IntField()),
                ('association_id', fields.UUIDField()),
            ],
            options={'table': 'restore_associations', 'app': 'crm', 'unique_together': (('restore', 'association_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
