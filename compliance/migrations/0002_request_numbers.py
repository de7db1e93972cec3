from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS compliance_request_number_seq START 1",
            "DROP SEQUENCE IF EXISTS compliance_request_number_seq",
        ),
    ]
