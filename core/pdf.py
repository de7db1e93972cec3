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
        """Read {% static %} files from disk and inline data: URLs; fetch
        nothing else, fail loudly."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):  # inline, e.g. a company's logo
                return super().fetch(url, headers)
            path = unquote(urlparse(url).path)
            prefix = "/" + settings.STATIC_URL.strip("/") + "/"
            found = path.startswith(prefix) and finders.find(path.removeprefix(prefix))
            if not found:
                raise ValueError(f"not a static file: {url}")
            return super().fetch(Path(found).as_uri(), headers)

    return StaticFilesFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


def render_pdf(
    template_name: str, context: dict, *, language: str | None = None
) -> bytes:
    """Render a template to PDF bytes, in `language` when given."""
    # WeasyPrint is imported here: it is heavy, and only documents need it.
    from weasyprint import HTML

    with translation.override(language or translation.get_language()):
        html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_fetcher(), base_url="file:///").write_pdf()


def data_uri(file_field) -> str:
    """A stored image (a company's logo) as a data: URL for a PDF; "" when none."""
    import base64
    import mimetypes

    if not file_field:
        return ""
    kind = mimetypes.guess_type(file_field.name)[0] or "application/octet-stream"
    with file_field.open("rb") as handle:
        return f"data:{kind};base64,{base64.b64encode(handle.read()).decode()}"
