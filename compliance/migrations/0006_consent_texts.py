from django.db import migrations

WORDINGS = {
    "newsletter": (
        "Ja, ich möchte den E-Mail-Newsletter mit Informationen über Produkte und "
        "Veranstaltungen erhalten. Meine Einwilligung kann ich jederzeit widerrufen, "
        "zum Beispiel über den Abmeldelink in jeder E-Mail."
    ),
    "phone_marketing": (
        "Ja, Sie dürfen mich telefonisch über Produkte und Angebote informieren. "
        "Meine Einwilligung kann ich jederzeit widerrufen."
    ),
}


def add_wordings(apps, schema_editor):
    ConsentText = apps.get_model("compliance", "ConsentText")
    for purpose, text in WORDINGS.items():
        ConsentText.objects.get_or_create(
            purpose=purpose, version=1, defaults={"text": text}
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0005_consents")]

    operations = [migrations.RunPython(add_wordings, migrations.RunPython.noop)]
