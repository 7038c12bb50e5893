"""Report content to PDF bytes with WeasyPrint, fetching nothing from the network.

The only resources a report may load are `data:` URLs (the charts) and the app's own static
files, read from disk by path; anything else stops the rendering.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from tracker.reports.content import Content, in_language

FETCH_TIMEOUT = 5  # seconds; nothing here touches the network, but never wait forever


class ResourceRefused(ValueError):
    """The report asked for a resource it may not load."""


class RenderingError(RuntimeError):
    """The PDF could not be rendered."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher for `data:` URLs and files under one folder, and nothing else.

    No HTTP, hence no redirects; `file:` URLs are resolved (symbolic links and `..` included)
    and must land on a file inside `root`.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(
            timeout=FETCH_TIMEOUT,
            allowed_protocols=("data", "file"),
            allow_redirects=False,
            fail_on_errors=True,
        )
        self.root = root.resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            return self._static_file(url)
        raise ResourceRefused(f"A report may not load {url[:100]}")

    def _static_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"A report may not load {url[:100]}")
        path = Path(unquote(parts.path)).resolve()
        if not (path.is_relative_to(self.root) and path.is_file()):
            raise ResourceRefused(f"A report may only load the app's static files, not {path}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})


def html_to_pdf(html: str) -> bytes:
    """A tagged (PDF/UA-1) PDF of `html`, whose relative URLs point into the static folder."""
    static = Path(current_app.static_folder or "static")
    document = HTML(
        string=html,
        base_url=static.resolve().as_uri() + "/",
        url_fetcher=StaticOnlyFetcher(static),
    )
    try:
        return document.write_pdf(pdf_variant="pdf/ua-1")
    except FatalURLFetchingError as error:  # a BaseException: keep it from escaping as one
        raise RenderingError(str(error.__cause__ or error)) from error


def render_pdf(content: Content) -> bytes:
    """The report's PDF, in the report's language whatever the current page's: `<html lang>`
    gives the PDF its /Lang, and the template's own words are translated into it."""
    with in_language(content.locale):
        html = render_template("reports/pdf.html", report=content)
    return html_to_pdf(html)
