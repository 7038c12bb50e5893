"""The report's rendering, from hand-written plain data: the PDF itself, small-cell suppression
in the ministry edition, and the URL fetcher that keeps rendering off the network."""

from __future__ import annotations

import copy
import http.server
import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from tracker.reports.content import (
    SMALL_CELL,
    WITHHELD_CELL,
    Formatter,
    protect,
    protected_sum,
    report_content,
    round_half_away,
)
from tracker.reports.pdf import (
    RenderingError,
    ResourceRefused,
    StaticOnlyFetcher,
    html_to_pdf,
    render_pdf,
)

CATEGORIES = {
    "liquidity": "Cash and liquidity",
    "investment": "Investment financing",
    "rdi-funding": "R&D and innovation funding",
    "digitalisation": "Digitalisation and Industry 4.0",
    "new-markets": "New markets and diversification",
    "skills": "Skills and recruitment",
    "other": "Other",
}
MONTHS = [f"2025-{m:02d}" for m in range(11, 13)] + [f"2026-{m:02d}" for m in range(1, 11)]


def section5(month: str = "2026-10", edition: str = "ministry") -> dict[str, Any]:
    """Figures shaped exactly like DESIGN.md section 5."""
    return {
        "month": month,
        "scope": "all",
        "edition": edition,
        "portfolio": {"companies": 148},
        "activity": {
            "interactions": 212,
            "by_type": {"call": 90, "visit": 31, "meeting": 44, "email": 45, "event": 2},
            "companies_contacted": 97,
            "coverage_90d_pct": 81.8,
        },
        "health": {
            "companies_assessed": 120,
            "risk": {"low": 61, "medium": 38, "high": 19, "critical": 2},
            "balances": {"turnover": -12.3, "orders": -20.8, "employment": 4.2, "outlook": None},
            "short_time_work_pct": 14.2,
            "liquidity": {"good": 40, "adequate": 55, "tight": 20, "critical": 0},
            "risk_change": {"worsened": 7, "improved": 11, "unchanged": 80},
        },
        "needs": {
            "identified": {
                "liquidity": 12,
                "investment": 7,
                "rdi-funding": 9,
                "digitalisation": 4,
                "new-markets": 6,
                "skills": 1,
                "other": 0,
            },
            "identified_total": 39,
            "resolved": 15,
            "open_end": 88,
        },
        "solutions": {
            "suggested": 31,
            "by_instrument": {
                "Fit 4 Digital": 9,
                "COVID-RDI": 14,
                "SNCI loan": 6,
                "Horizon Europe": 2,
            },
            "granted": 6,
            "granted_amount_eur": 1254300.5,
        },
        "followups": {"completed": 58, "overdue_end": 9},
        "events": {"held": 3, "participating_companies": 27},
    }


def sample_data(edition: str = "ministry") -> dict[str, Any]:
    """Plain report data as tracker.reports.data.build_report_data returns it."""
    previous = section5("2026-09", edition)
    previous["activity"]["interactions"] = 190
    previous["health"]["risk"]["critical"] = 4
    previous["health"]["balances"]["turnover"] = -15.0
    history = [
        {
            "month": month,
            "companies_assessed": 100 + i,
            "risk": {"low": 40 + i, "medium": 35, "high": 20 - i // 2, "critical": max(0, 6 - i)},
            "balances": {
                "turnover": round(-40 + i * 3.1, 1),
                "orders": round(-45 + i * 2.5, 1),
                "employment": round(-10 + i * 1.2, 1),
                "outlook": None if i == 3 else round(-30 + i * 3.4, 1),
            },
            "short_time_work_pct": round(30 - i * 1.4, 1),
        }
        for i, month in enumerate(MONTHS)
    ]
    return {
        "figures": section5("2026-10", edition),
        "previous": previous,
        "history": history,
        "solutions_status": {
            "COVID-RDI": {
                "suggested": 2,
                "in_preparation": 0,
                "submitted": 4,
                "granted": 6,
                "rejected": 1,
                "dropped": 0,
            },
            "Fit 4 Digital": {
                "suggested": 4,
                "in_preparation": 3,
                "submitted": 2,
                "granted": 5,
                "rejected": 0,
                "dropped": 0,
            },
        },
        "at_risk": []
        if edition == "ministry"
        else [
            {
                "company_id": 1,
                "company": "Moselle Precision Castings S.à r.l.",
                "advisor": "Anne Schmit",
                "risk": "critical",
                "checked_on": "2026-10-12",
                "last_contact": "2026-10-20",
                "open_needs": ["Cash and liquidity", "New markets and diversification"],
            },
            {
                "company_id": 2,
                "company": "Ardennes Woodworks S.A.",
                "advisor": None,
                "risk": "high",
                "checked_on": "2026-09-02",
                "last_contact": None,
                "open_needs": [],
            },
        ],
        "meta": {
            "agency": "Luxinnovation",
            "scope": "all",
            "scope_name": "All clusters",
            "month": "2026-10",
            "month_label": "October 2026",
            "previous_month": "2026-09",
            "previous_month_label": "September 2026",
            "edition": edition,
            "generated_on": "2026-11-03",
            "generated_on_label": "3 November 2026",
            "locale": "en",
            "need_categories": CATEGORIES,
        },
    }


def pdf_text(pdf: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    """The PDF's text by pdftotext: laid out like the page (rows on one line), or in reading
    order with runs of white space as one space (a wrapped table cell in one piece)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text if layout else " ".join(text.split())


def pdf_tool(tool: str, pdf: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    args = [tool, "--check", str(path)] if tool == "qpdf" else [tool, str(path)]
    return subprocess.run(args, capture_output=True, text=True)


@pytest.fixture(scope="module")
def rendered(app) -> dict[str, bytes]:
    """Both editions of the sample, rendered once for the module (a draft with a summary)."""
    summary = 'Orders fell <script>alert("x")</script> & <b>margins</b>.\nSecond line.\n\nNew para.'
    with app.app_context():
        return {
            edition: render_pdf(
                report_content(sample_data(edition), summary=summary, status="draft")
            )
            for edition in ("ministry", "internal")
        }


# -- the PDF file ---------------------------------------------------------------------------------


def test_pdf_is_valid_tagged_a4_with_title_and_embedded_fonts(rendered, tmp_path):
    pdf = rendered["ministry"]
    assert pdf.startswith(b"%PDF-1.7")
    check = pdf_tool("qpdf", pdf, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    info = pdf_tool("pdfinfo", pdf, tmp_path).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(
        r"^Title:\s+Sector health report: All clusters, October 2026 \(ministry edition\)$",
        info,
        re.M,
    )
    assert re.search(r"^Author:\s+Luxinnovation$", info, re.M)
    assert "595.276 x 841.89 pts (A4)" in info
    fonts = pdf_tool("pdffonts", pdf, tmp_path).stdout.splitlines()[2:]
    assert fonts, "no font at all"
    for line in fonts:
        columns = line.split()
        # name, type..., encoding, emb, sub, uni, object, id: emb is the 5th from the end.
        assert columns[-5] == "yes", f"font not embedded: {line}"
    readable = tmp_path / "readable.pdf"
    subprocess.run(
        ["qpdf", "--qdf", "--object-streams=disable", str(tmp_path / "qpdf.pdf"), str(readable)],
        check=True,
    )
    assert b"/Lang (en)" in readable.read_bytes()


def test_pdf_has_every_part_and_page_numbers(rendered, tmp_path):
    text = pdf_text(rendered["internal"], tmp_path)
    pages = int(
        re.search(
            r"^Pages:\s+(\d+)", pdf_tool("pdfinfo", rendered["internal"], tmp_path).stdout, re.M
        )[1]
    )
    for part in (
        "MONTHLY SECTOR-HEALTH REPORT",  # upper case by CSS
        "All clusters",
        "October 2026",
        "Internal edition",
        "Generated on",
        "3 November 2026",
        "Draft: not for distribution",
        "Executive summary",
        "Key figures",
        "Health of the companies",
        "Figure 1. Risk level of the companies assessed, last 12 months",
        "Figure 2. Balances of answers, last 12 months",
        "Figure 3. Needs identified in October 2026, by category",
        "Figure 4. Solutions by instrument and status",
        "Activity of the cluster",
        "Companies at high or critical risk",
        "Appendix: the data behind the charts",
        "Definitions",
        f"Page 2 of {pages}",
        f"Page {pages} of {pages}",
    ):
        assert part in text, part
    # Chart text stays text (svg.fonttype "none"): the legends can be found and copied.
    assert "Order book" in text and "Outlook (next 3 months)" in text
    flowing = pdf_text(rendered["internal"], tmp_path, layout=False)
    assert "Moselle Precision Castings S.à r.l." in flowing and "Anne Schmit" in flowing


def test_key_figures_show_change_against_previous_month(rendered, tmp_path):
    text = pdf_text(rendered["internal"], tmp_path)
    interactions = next(
        line for line in text.splitlines() if line.strip().startswith("Interactions ")
    )
    assert re.search(r"Interactions\s+212\s+190\s+▲ \+22", interactions)
    turnover = next(line for line in text.splitlines() if "Turnover balance" in line)
    assert re.search(r"−12\.3\s+−15\.0\s+▲ \+2\.7 pts", turnover)
    outlook = next(line for line in text.splitlines() if "Outlook (next 3 months) balance" in line)
    assert re.search(r"n/a\s+n/a\s+n/a", outlook), "a null figure has no change"
    assert "€1,254,300.50" in text  # euros with cents


def test_summary_is_printed_as_literal_text(rendered, tmp_path):
    text = pdf_text(rendered["ministry"], tmp_path)
    assert 'Orders fell <script>alert("x")</script> & <b>margins</b>.' in text
    assert "<br>" not in text
    assert "Second line." in text and "New para." in text


def test_ministry_edition_suppresses_small_cells_and_names_nobody(rendered, tmp_path):
    text = pdf_text(rendered["ministry"], tmp_path)
    assert "Moselle" not in text and "Ardennes" not in text and "Anne Schmit" not in text
    assert "Companies at high or critical risk" not in text
    # pdftotext -layout sometimes drops the space of "< 3" in a right-aligned cell.
    event_row = next(line for line in text.splitlines() if "Event participations" in line)
    assert re.search(r"Event participations\s+<\s?3\s+<\s?3\s+n/a", event_row), event_row
    critical = next(line for line in text.splitlines() if line.strip().startswith("Critical"))
    assert re.search(r"<\s?3", critical)
    assert "fewer than 3" in text and "Small numbers (ministry edition)" in text
    # The internal edition prints the same cells as they are.
    internal = pdf_text(rendered["internal"], tmp_path)
    event_row = next(line for line in internal.splitlines() if "Event participations" in line)
    assert re.search(r"Event participations\s+2\s", event_row)


def test_render_time_of_a_report_is_reasonable(app):
    """Not a benchmark (see the README): a guard against a tenfold regression."""
    import time

    with app.app_context():
        content = report_content(sample_data("internal"))
        started = time.process_time()
        render_pdf(content)
        assert time.process_time() - started < 15


# -- small-cell suppression ------------------------------------------------------------------------

FMT = Formatter("en")


def test_internal_edition_prints_every_number():
    cells = protect({"a": 1, "b": 0, "c": 40}, FMT, ministry=False)
    assert [c.text for c in cells.values()] == ["1", "0", "40"]


def test_one_small_cell_hides_a_zero_with_it():
    cells = protect({"low": 20, "medium": 9, "high": 2, "critical": 0}, FMT, ministry=True)
    assert [c.text for c in cells.values()] == ["20", "9", "< 3", "< 3"]


def test_one_small_cell_without_zero_withholds_the_smallest_other():
    cells = protect({"low": 61, "medium": 38, "high": 19, "critical": 2}, FMT, ministry=True)
    assert cells["critical"] is SMALL_CELL and cells["high"] is WITHHELD_CELL
    assert cells["low"].text == "61" and cells["medium"].text == "38"
    # The sum of the hidden cells can be printed: it follows from the total anyway.
    at_risk = protected_sum(cells, {"high": 19, "critical": 2}, ["high", "critical"], FMT)
    assert at_risk.text == "21"
    # A sum with only one of them would undo the suppression.
    assert (
        protected_sum(cells, {"medium": 38, "critical": 2}, ["medium", "critical"], FMT).text
        == "n.p."
    )


def test_two_small_cells_protect_each_other_and_zeros_stay():
    cells = protect({"a": 1, "b": 2, "c": 0, "d": 7}, FMT, ministry=True)
    assert [c.text for c in cells.values()] == ["< 3", "< 3", "0", "7"]


def test_a_small_total_hides_the_whole_breakdown():
    cells = protect({"a": 1, "b": 0, "c": 0}, FMT, ministry=True)
    assert [c.text for c in cells.values()] == ["< 3", "< 3", "< 3"]
    assert [c.text for c in protect({"a": 0, "b": 0}, FMT, ministry=True).values()] == ["0", "0"]


def test_rounding_is_half_away_from_zero():
    assert round_half_away(-12.25) == -12.3
    assert round_half_away(12.25) == 12.3
    assert round_half_away(0.05) == 0.1
    assert FMT.eur(1254300.505) == "€1,254,300.51"


def test_ministry_withholds_balances_of_fewer_than_three_companies_and_lone_grants(app):
    data = sample_data("ministry")
    data["figures"]["health"]["companies_assessed"] = 2
    data["figures"]["solutions"]["granted"] = 1
    content = report_content(data)
    rows = {row.label: row for _section, rows in content.key_figures for row in rows}
    assert rows["Turnover balance"].cells[0].text == "n.p."
    assert rows["Turnover balance"].change.text == "n/a"
    assert rows["Amount granted"].cells[0].text == "n.p."
    assert rows["Companies assessed"].cells[0].text == "2"
    internal = report_content(
        {**copy.deepcopy(data), "meta": {**data["meta"], "edition": "internal"}}
    )
    rows = {row.label: row for _section, rows in internal.key_figures for row in rows}
    assert rows["Turnover balance"].cells[0].text == "−12.3"


# -- the URL fetcher -------------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def redirecting_server():
    """A local server that would redirect every request to a local file."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_fetcher_reads_data_urls_and_static_files_only(app, tmp_path, redirecting_server):
    static = Path(app.static_folder)
    fetcher = StaticOnlyFetcher(static)
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    css = fetcher.fetch((static / "css" / "report.css").resolve().as_uri())
    assert b"@page" in css.read() and css.content_type == "text/css"
    refused = [
        f"{redirecting_server}/logo.png",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "file:///etc/passwd",
        (static / ".." / "config.py").resolve().as_uri(),
        (static.resolve().as_uri() + "/../config.py"),
        "file://evil.example.com" + str(static.resolve() / "css" / "app.css"),
        (static / "css" / "missing.css").resolve().as_uri(),
    ]
    for url in refused:
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    assert _Recorder.hits == [], "the fetcher opened a network connection"


def test_fetcher_refuses_a_symbolic_link_out_of_its_folder(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p {}")
    (root / "escape.css").symlink_to("/etc/passwd")
    fetcher = StaticOnlyFetcher(root)
    assert fetcher.fetch((root / "ok.css").as_uri()).read() == b"p {}"
    with pytest.raises(ResourceRefused):
        fetcher.fetch((root / "escape.css").as_uri())


def test_rendering_stops_on_any_outside_resource(app, redirecting_server):
    with app.app_context():
        for html in (
            f'<html><body><img alt="x" src="{redirecting_server}/x.png"></body></html>',
            f'<html><head><link rel="stylesheet" href="{redirecting_server}/x.css"></head></html>',
            '<html><body><img alt="x" src="file:///etc/passwd"></body></html>',
            "<html><head><style>@import url('https://example.com/x.css');</style></head></html>",
        ):
            with pytest.raises(RenderingError):
                html_to_pdf(html)
        assert html_to_pdf("<html><body><p>fine</p></body></html>").startswith(b"%PDF")
    assert _Recorder.hits == []
