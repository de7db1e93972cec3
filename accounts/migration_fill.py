"""Migration step: rows of the time before companies move into the first one."""

from django.db import migrations


def fill_company(app_label: str, counters: tuple[tuple[str, str, str], ...] = ()):
    """A RunPython that gives every row of the app (history rows included) the
    first company, and starts the company's number counters where the old
    installation-wide sequences stood (kind, table, sequence): no number is
    given out twice, not even one of a deleted row."""

    def forward(apps, schema_editor):
        company = apps.get_model("accounts", "Company").objects.order_by("pk").first()
        if company is None:
            return
        for model in apps.get_app_config(app_label).get_models():
            if any(field.name == "company" for field in model._meta.fields):
                model._base_manager.filter(company__isnull=True).update(company=company)
        counter = apps.get_model("accounts", "NumberCounter")
        with schema_editor.connection.cursor() as cursor:
            for kind, table, sequence in counters:
                cursor.execute(
                    "SELECT coalesce(max(substring(number from '[0-9]+$')::bigint), 0)"
                    f" FROM {table}"
                )
                (highest,) = cursor.fetchone()
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [sequence])
                if cursor.fetchone()[0]:
                    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
                    last, called = cursor.fetchone()
                    highest = max(highest, last if called else 0)
                counter.objects.update_or_create(
                    company=company, kind=kind, defaults={"value": highest}
                )

    return migrations.RunPython(forward, migrations.RunPython.noop)
