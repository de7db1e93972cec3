import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def test_every_german_message_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"))

    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(catalogue.translated_entries()) > 50


def test_german_is_the_default_and_english_available(settings):
    assert settings.LANGUAGE_CODE == "de"
    assert [code for code, _ in settings.LANGUAGES] == ["de", "en"]
    assert settings.TIME_ZONE == "Europe/Berlin"


def test_dates_are_formatted_the_german_way():
    from datetime import date

    from django.utils import formats, translation

    with translation.override("de"):
        assert (
            formats.date_format(date(2026, 12, 31), "SHORT_DATE_FORMAT") == "31.12.2026"
        )
        assert formats.number_format(1234.56, 2, force_grouping=True) == "1.234,56"


def test_every_plain_text_template_is_rendered_without_html_escaping():
    """Text e-mails and subjects are no HTML: "GmbH & Co. KG", not "&amp;"."""
    texts = sorted((ROOT / "templates").rglob("*.txt"))
    assert len(texts) >= 9
    for path in texts:
        source = path.read_text()
        assert "{% autoescape off %}" in source, path
        assert source.rstrip().endswith("{% endautoescape %}"), path


def test_no_translation_call_hides_in_an_f_string():
    """xgettext does not look into f-strings: _() there is never translated."""
    hidden = re.compile(r"""f(["']).*?\{\s*(?:_|gettext|pgettext|ngettext)\(""")
    found = []
    for folder in ["accounts", "core", "crm", "contracts", "compliance", "config"]:
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if hidden.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []


def test_the_feed_names_its_calendar_in_the_users_language(client, demo):
    from django.urls import reverse

    from contracts import services

    feed = services.calendar_feed_for(user=demo["anna"])
    url = reverse("contracts:calendar_feed", args=[feed.token])
    assert "X-WR-CALNAME:Vertragsfristen" in client.get(url).content.decode()
