"""PDF documents: an HTML template rendered by WeasyPrint."""

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation


def _fetcher():
    from weasyprint.urls import URLFetcher

    class StaticFilesFetcher(URLFetcher):
        """Read {% static %} files from disk; fetch nothing else, fail loudly."""

        def fetch(self, url, headers=None):
            path = unquote(urlparse(url).path)
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            found = path.startswith(prefix) and finders.find(path.removeprefix(prefix))
            if not found:
                raise ValueError(f"not a static file: {url}")
            return super().fetch(Path(found).as_uri(), headers)

    return StaticFilesFetcher(allowed_protocols={"file"}, fail_on_errors=True)


def render_pdf(
    template_name: str, context: dict, *, language: str | None = None
) -> bytes:
    """Render a template to PDF bytes, in `language` when given."""
    # WeasyPrint is imported here: it is heavy, and only documents need it.
    from weasyprint import HTML

    with translation.override(language or translation.get_language()):
        html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_fetcher(), base_url="file:///").write_pdf()
