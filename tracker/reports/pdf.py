"""Report content to PDF bytes with WeasyPrint, fetching nothing from the network.

The only resources a report may load are `data:` URLs (the charts) and the app's own static
files, read from disk by path; anything else stops the rendering.
"""

from __future__ import annotations

import gc
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Python's cycle collector switched off for the block, and back on after if it was on.

    A render builds hundreds of thousands of long-lived objects (boxes, styles, layouts) and
    frees few cycles: the collector's passes over them took a fifth of the render's time for
    no memory (the peak is the same without it). Reference counting still frees everything
    else. Process-wide: under a threaded server another render may switch it back on early,
    which only costs that speed-up.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str) -> bytes:
    """A tagged (PDF/UA-1) PDF of `html`, whose relative URLs point into the static folder."""
    static = Path(current_app.static_folder or "static")
    with _no_cyclic_gc():
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
