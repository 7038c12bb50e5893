"""The monthly report in English, French and German: chosen when it is generated (form, service,
command line), kept with it, printed whole in it (headings, labels, numbers, amounts, dates, the
PDF's /Lang and title), whatever the language of the person who looks at it; the figures do not
change with it.

The translated headings come from the French and German catalogues (tracker/translations): these
tests fail while a report string is missing from them.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date

from tests.helpers import form_version
from tests.test_report_figures import change_status
from tests.test_report_pdf import pdf_text, pdf_tool, sample_data
from tests.test_reports import MONTH, dataset  # noqa: F401 (a fixture)
from tracker import dates
from tracker.common.errors import ValidationError
from tracker.extensions import db
from tracker.models import Report, ReportEdition, ReportStatus, Solution, SolutionStatus, User
from tracker.reports import services
from tracker.reports.content import Formatter, page_counter_css, report_content

# What each language prints for the `granted` data set below (an internal edition of June 2025).
EXPECTED: dict[str, dict[str, Any]] = {
    "fr": {
        "title": "Rapport sur la santé des secteurs : Tous les clusters, juin 2025 "
        "(édition interne)",
        "headings": [
            "RAPPORT MENSUEL SUR LA SANTÉ DES SECTEURS",  # upper case by CSS
            "Tous les clusters",
            "juin 2025, comparé à mai 2025",
            "Édition interne",
            "Synthèse",
            "Chiffres clés",
            "Santé des entreprises",
            "Besoins et solutions",
            "Activité du cluster",
            "Entreprises à risque élevé ou critique",
            "Annexe : les données des graphiques",
            "Définitions",
            "Petits nombres (édition ministère)",
            "Figure 1. Niveau de risque des entreprises évaluées, 12 derniers mois",
        ],
        "rows": {
            "Montant accordé": "1 234,50 €",
            "Couverture sur 90 jours": "100,0 %",
            "Chômage partiel (part de « oui »)": "20,0 %",
            "Solde carnet de commandes": "−20,0",
        },
        "long_date": "d MMMM y",
        "page": "Page 2 sur",
        "english": ["Executive summary", "Key figures", "Definitions", "Page 2 of"],
    },
    "de": {
        "title": "Branchenlagebericht: Alle Cluster, Juni 2025 (interne Ausgabe)",
        "headings": [
            "MONATLICHER BRANCHENLAGEBERICHT",
            "Alle Cluster",
            "Juni 2025, verglichen mit Mai 2025",
            "Interne Ausgabe",
            "Zusammenfassung",
            "Kennzahlen",
            "Lage der Unternehmen",
            "Bedarfe und Lösungen",
            "Aktivität des Clusters",
            "Unternehmen mit hohem oder kritischem Risiko",
            "Anhang: die Daten hinter den Diagrammen",
            "Definitionen",
            "Kleine Zahlen (Ausgabe für das Ministerium)",
            "Abbildung 1. Risikostufe der bewerteten Unternehmen, letzte 12 Monate",
        ],
        "rows": {
            "Bewilligter Betrag": "1.234,50 €",
            "Abdeckung über 90 Tage": "100,0 %",
            "Kurzarbeit (Anteil „ja“)": "20,0 %",
            "Saldo Auftragsbestand": "−20,0",
        },
        "long_date": "d. MMMM y",
        "page": "Seite 2 von",
        "english": ["Executive summary", "Key figures", "Definitions", "Page 2 of"],
    },
}


def plain(text: str) -> str:
    """pdftotext's text with the no-break spaces that French and German numbers use (U+202F,
    U+00A0) as ordinary spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def row_value(text: str, label: str) -> str:
    """The first number printed after `label` on its line of the PDF (laid out)."""
    line = next(line for line in text.splitlines() if line.strip().startswith(label))
    return re.split(r"\s{2,}", line.strip()[len(label) :].strip())[0]


@pytest.fixture
def granted(app, dataset) -> dict:  # noqa: F811 (the fixture imported above)
    """The data set of tests/test_reports.py, with three grants in June 2025 that add up to
    1,234.50 euros."""
    with app.app_context():
        solutions = db.session.scalars(db.select(Solution).order_by(Solution.id)).all()
        for solution, amount in zip(solutions[:3], ("1000.25", "200.00", "34.25"), strict=True):
            change_status(solution, SolutionStatus.GRANTED, date(2025, 6, 20), amount)
        db.session.commit()
    return dataset


def _generate(client, language: str, edition: str = "internal") -> int:
    response = client.post(
        "/reports",
        data={"month": MONTH, "scope": "all", "edition": edition, "language": language},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/reports/(\d+)$", response.headers["Location"])[1])


def _set_language(app, email: str, locale: str | None) -> None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        user.locale = locale
        db.session.commit()


# -- generated in a language, printed in it --------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "de"])
def test_a_report_generated_in_french_or_german_is_printed_in_it(
    app, client, login_as, granted, tmp_path, language
):
    expected = EXPECTED[language]
    login_as("manager")  # whose pages are in English
    report_id = _generate(client, language)
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.locale == language and report.figures["meta"]["locale"] == language
    response = client.get(f"/reports/{report_id}/pdf")
    assert response.headers["Content-Disposition"].endswith(
        f'filename="sector-health-all-2025-06-internal-{language}.pdf"'
    )
    pdf = response.data
    text = plain(pdf_text(pdf, tmp_path))
    for heading in expected["headings"]:
        assert heading in text, heading
    for label, value in expected["rows"].items():
        assert row_value(text, label) == value, label
    generated_on = format_date(dates.today(), expected["long_date"], locale=language)
    assert generated_on in text
    assert expected["page"] in text
    for english in expected["english"]:
        assert english not in text, english
    # Reference data stays as stored: need categories and instruments are not translated.
    flowing = pdf_text(pdf, tmp_path, layout=False)
    assert "Cash and liquidity" in flowing and "COVID-RDI" in flowing

    info = pdf_tool("pdfinfo", pdf, tmp_path).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+{re.escape(expected['title'])}$", plain(info), re.M)
    check = pdf_tool("qpdf", pdf, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"/Lang ({language})".encode() in _readable(pdf, tmp_path)


def _readable(pdf: bytes, tmp_path: Path) -> bytes:
    """The PDF uncompressed by qpdf, so that its catalog can be searched."""
    source, target = tmp_path / "in.pdf", tmp_path / "readable.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["qpdf", "--qdf", "--object-streams=disable", str(source), str(target)], check=True
    )
    return target.read_bytes()


def test_the_service_writes_the_report_in_the_language_it_is_given(app, users, granted, tmp_path):
    with app.app_context():
        actor = db.session.get(User, users["manager"].id)
        report = services.generate_report(MONTH, None, ReportEdition.MINISTRY, actor, locale="de")
        db.session.commit()
        assert report.locale == "de"
        pdf = services.report_pdf(report)
        services.finalise_report(report, actor)
        db.session.commit()
        final = services.report_pdf(report)
    text = plain(pdf_text(pdf, tmp_path))
    assert "Ausgabe für das Ministerium" in text and "Kennzahlen" in text
    assert "Noch keine Zusammenfassung." in text  # the draft's placeholder
    assert "Für diesen Bericht wurde keine Zusammenfassung verfasst." in plain(
        pdf_text(final, tmp_path)
    )
    assert b"/Lang (de)" in _readable(final, tmp_path)


def test_the_preview_is_in_the_reports_language_and_the_page_in_the_users(
    app, client, login_as, granted
):
    login_as("manager")
    report_id = _generate(client, "de")
    html = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert '<html lang="en">' in html
    preview = html.split('<article class="report-preview" lang="de">', 1)[1]
    for heading in ("Zusammenfassung", "Kennzahlen", "Lage der Unternehmen", "Definitionen"):
        assert f">{heading}</h2>" in preview, heading
    assert "Bewilligter Betrag" in preview and "1.234,50\xa0€" in preview
    assert 'alt="Gestapeltes Balkendiagramm' in preview
    # The summary form is the page's: English, and marked so for screen readers.
    assert re.search(r'<form [^>]*class="summary-form" lang="en">', preview)
    assert "Text of the executive summary" in preview
    # The page around it is English.
    page = html.split('<article class="report-preview"', 1)[0]
    assert "Download PDF" in page and "Kennzahlen" not in page
    assert re.search(r'<span lang="de">Deutsch</span>', page)


def test_an_unknown_language_is_refused_by_the_form_and_the_service(app, client, login_as, granted):
    user = login_as("advisor")
    response = client.post(
        "/reports", data={"month": MONTH, "scope": "all", "edition": "ministry", "language": "xx"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="language-error"' in html and 'aria-invalid="true"' in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 0
        actor = db.session.get(User, user.id)
        with pytest.raises(ValidationError) as refused:
            services.generate_report(MONTH, None, ReportEdition.MINISTRY, actor, locale="lb")
        assert refused.value.field == "language"


def test_the_form_offers_the_language_the_user_reads(app, client, login_as, granted):
    login_as("advisor")
    html = client.get("/reports").get_data(as_text=True)
    assert re.search(r'<option lang="en" selected value="en">English</option>', html)
    assert '<option lang="fr" value="fr">Français</option>' in html
    _set_language(app, "advisor@example.lu", "de")
    html = client.get("/reports").get_data(as_text=True)
    assert re.search(r'<option lang="de" selected value="de">Deutsch</option>', html)


# -- kept with the report -------------------------------------------------------------------------


def test_regenerating_keeps_the_language_and_languages_are_separate_drafts(
    app, client, login_as, granted
):
    login_as("advisor")
    french = _generate(client, "fr")
    assert _generate(client, "fr") == french  # the same draft, brought up to date
    german = _generate(client, "de")
    assert german != french
    assert client.post(f"/reports/{french}/regenerate").status_code == 302
    with app.app_context():
        reports = db.session.scalars(db.select(Report).order_by(Report.id)).all()
        assert [(r.id, r.locale) for r in reports] == [(french, "fr"), (german, "de")]
        assert reports[0].figures["meta"]["locale"] == "fr"


def test_a_final_report_keeps_its_language_and_bytes_whatever_the_readers_language(
    app, client, login_as, granted, tmp_path
):
    login_as("manager")
    report_id = _generate(client, "fr")
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    client.post(
        f"/reports/{report_id}/summary",
        data={"summary": "Les commandes reprennent.", "version": form_version(page)},
    )
    assert client.post(f"/reports/{report_id}/finalise").status_code == 302
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status is ReportStatus.FINAL
        stored = report.pdf
    first = client.get(f"/reports/{report_id}/pdf").data
    assert first == stored
    text = plain(pdf_text(first, tmp_path))
    assert "Finalisé le" in text and "Les commandes reprennent." in text

    for reader_language in ("de", "en"):
        _set_language(app, "manager@example.lu", reader_language)
        assert client.get(f"/reports/{report_id}/pdf").data == stored
        html = client.get(f"/reports/{report_id}").get_data(as_text=True)
        assert f'<html lang="{reader_language}">' in html
        preview = html.split('<article class="report-preview" lang="fr">', 1)[1]
        assert ">Synthèse</h2>" in preview and "Les commandes reprennent." in preview
    with app.app_context():
        assert db.session.get(Report, report_id).locale == "fr"


# -- the command line and the figures -------------------------------------------------------------


def test_cli_writes_the_report_in_the_language_asked_for(runner, granted, tmp_path):
    out = tmp_path / "rapport.pdf"
    result = runner.invoke(
        args=["report", "monthly", "--month", MONTH, "--edition", "internal",
              "--language", "FR", "--out", str(out)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"{MONTH}, internal edition, fr," in result.stdout
    text = plain(pdf_text(out.read_bytes(), tmp_path))
    assert "Chiffres clés" in text and row_value(text, "Montant accordé") == "1 234,50 €"
    assert "Pas de synthèse : cette édition a été produite en ligne de commande" in text
    assert b"/Lang (fr)" in _readable(out.read_bytes(), tmp_path)


def test_cli_refuses_a_language_it_does_not_offer(runner, users, tmp_path):
    out = tmp_path / "r.pdf"
    result = runner.invoke(
        args=["report", "monthly", "--month", MONTH, "--language", "lb", "--out", str(out)]
    )
    assert result.exit_code != 0
    assert result.stderr.startswith("Error: Invalid value for '--language': 'lb' is not one of")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not out.exists()


def test_the_figures_are_the_same_in_every_language(
    app, client, login_as, runner, granted, tmp_path
):
    documents = {}
    for language in ("en", "fr", "de"):
        out = tmp_path / f"{language}.json"
        result = runner.invoke(
            args=["report", "monthly", "--month", MONTH, "--edition", "internal",
                  "--format", "json", "--language", language, "--out", str(out)]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        documents[language] = json.loads(out.read_text())
    figures = {
        language: {key: value for key, value in document.items() if key != "meta"}
        for language, document in documents.items()
    }
    assert figures["fr"] == figures["en"] == figures["de"]
    assert figures["fr"]["solutions"]["granted_amount_eur"] == 1234.5
    assert {language: d["meta"]["locale"] for language, d in documents.items()} == {
        "en": "en",
        "fr": "fr",
        "de": "de",
    }
    # A stored report's JSON is the same document.
    login_as("advisor")
    stored = client.get(f"/reports/{_generate(client, 'de')}/json").get_json()
    stored.pop("meta")
    assert stored == figures["de"]


# -- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "count", "pct", "eur", "day", "month", "short"),
    [
        ("en", "1,234", "14.2%", "€1,234.50", "27 November 2026", "November 2026", "Nov 2026"),
        ("fr", "1 234", "14,2 %", "1 234,50 €", "27 novembre 2026", "novembre 2026", "nov. 2026"),
        ("de", "1.234", "14,2 %", "1.234,50 €", "27. November 2026", "November 2026", "Nov. 2026"),
    ],
)
def test_numbers_amounts_and_dates_follow_the_reports_locale(
    locale, count, pct, eur, day, month, short
):
    fmt = Formatter(locale)
    assert plain(fmt.count(1234)) == count
    assert plain(fmt.pct(14.2)) == pct
    assert plain(fmt.eur(1234.5)) == eur
    assert plain(fmt.day(date(2026, 11, 27))) == day
    assert fmt.month("2026-11") == month and fmt.short_month("2026-11") == short
    assert Formatter("xx").locale == "en", "an unknown language falls back to English"


def test_page_numbers_and_chart_text_alternatives_are_in_the_reports_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        data = sample_data("ministry")
        data["meta"]["locale"] = "de"
        content = report_content(data)
        assert content.locale == "de" and content.title.startswith("Branchenlagebericht: ")
        assert content.page_css == (
            '@page { @bottom-right { content: "Seite " counter(page) " von " counter(pages); } }'
        )
        risk = content.health_charts[0]
        assert risk.title == "Risikostufe der bewerteten Unternehmen, letzte 12 Monate"
        assert risk.alt.startswith("Gestapeltes Balkendiagramm")
        assert f'<title id="chart-title">{risk.title}</title>' in risk.svg
        assert (
            "<svg " in risk.svg
            and 'role="img" aria-labelledby="chart-title chart-desc"' in risk.svg
        )
        assert '<desc id="chart-desc">Gestapeltes Balkendiagramm' in risk.svg
        assert ">Unternehmen<" in risk.svg or "Unternehmen</text>" in risk.svg  # the axis label
        # The page's own language is left as it was.
        assert page_counter_css() == (
            '@page { @bottom-right { content: "Page " counter(page) " of " counter(pages); } }'
        )
