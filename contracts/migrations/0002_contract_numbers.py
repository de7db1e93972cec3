from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS contracts_contract_number_seq START 1",
            "DROP SEQUENCE IF EXISTS contracts_contract_number_seq",
        ),
    ]
