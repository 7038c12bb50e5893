"""Monthly reports end to end: generation, preview, summary, finalisation, download, access by
role, and the `report monthly` command, on a small data set with named companies and people."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest

from tests import factories
from tests.helpers import count_statements, form_version
from tests.test_report_pdf import pdf_text
from tracker.extensions import db
from tracker.models import (
    Cluster,
    Company,
    FollowUpStatus,
    InteractionType,
    Liquidity,
    Report,
    ReportEdition,
    ReportStatus,
    RiskLevel,
    Trend,
)

MONTH = "2025-06"
JUNE = date(2025, 6, 1)
COMPANIES = [
    "Moselle Precision Castings S.à r.l.",
    "Ardennes Woodworks S.A.",
    "Kirchberg Robotics S.A.",
    "Alzette Coatings S.à r.l.",
    "Sûre Plastics S.A.",
]
PEOPLE = ["Anne Schmit", "Marc Hoffmann", "Léa Muller", "Paul Wagner", "Nora Becker"]
NOTES = [
    "Confidential: the CFO plans to lay off forty people",
    "Prefers calls after four",
    "Main customer is a German car maker",
]
PARTNER = "Jean Dupont at Banque du Nord"
# (risk, liquidity, turnover, orders, employment, outlook, short-time work)
HEALTH = [
    (RiskLevel.CRITICAL, Liquidity.TIGHT, Trend.DOWN, Trend.DOWN, Trend.DOWN, Trend.DOWN, True),
    (RiskLevel.HIGH, Liquidity.ADEQUATE, Trend.DOWN, Trend.STABLE, Trend.STABLE, Trend.UP, False),
    (RiskLevel.LOW, Liquidity.GOOD, Trend.UP, Trend.UP, Trend.UP, Trend.UP, False),
    (RiskLevel.LOW, Liquidity.GOOD, Trend.UP, Trend.STABLE, Trend.UP, Trend.STABLE, False),
    (RiskLevel.MEDIUM, Liquidity.ADEQUATE, Trend.STABLE, Trend.DOWN, Trend.STABLE, Trend.UP, False),
]


@pytest.fixture
def dataset(app, users) -> dict:
    """Five companies of the materials cluster, with people, notes, contacts, health checks,
    needs, solutions, follow-ups and an event in June 2025 (and a little in May)."""
    advisor = users["advisor"].id
    with app.app_context():
        cluster = db.session.scalar(
            db.select(Cluster).where(Cluster.slug == "materials-manufacturing")
        )
        companies = []
        for i, name in enumerate(COMPANIES):
            company = factories.make_company(name, owner_id=advisor, clusters=[cluster])
            factories.make_person(company, PEOPLE[i], notes=NOTES[i % len(NOTES)])
            kind = InteractionType.VISIT if i == 4 else InteractionType.CALL
            factories.make_interaction(
                company, advisor, date(2025, 6, 3 + i), kind, summary=NOTES[i % len(NOTES)]
            )
            risk, liquidity, turnover, orders, employment, outlook, stw = HEALTH[i]
            factories.make_health_check(
                company,
                advisor,
                date(2025, 6, 3 + i),
                risk_level=risk,
                liquidity=liquidity,
                turnover_trend=turnover,
                orders_trend=orders,
                employment_trend=employment,
                outlook=outlook,
                short_time_work=stw,
                comment=NOTES[0],
            )
            companies.append(company)
        factories.make_health_check(
            companies[0], advisor, date(2025, 5, 5), risk_level=RiskLevel.HIGH
        )
        needs = [
            factories.make_need(c, "liquidity", date(2025, 6, 10), description=NOTES[0])
            for c in (companies[0], companies[1], companies[2], companies[4])
        ]
        factories.make_need(companies[0], "new-markets", date(2025, 6, 11))
        for need in needs[:3]:
            factories.make_solution(need, "COVID-RDI", date(2025, 6, 12), notes=NOTES[1])
        factories.make_solution(needs[3], "Fit 4 Digital", date(2025, 6, 12))
        # A referral without an instrument: its partner is free text, here a person's name.
        factories.make_solution(needs[3], None, date(2025, 6, 13), partner=PARTNER)
        factories.make_followup(
            companies[0], advisor, date(2025, 6, 20), title=NOTES[2],
            status=FollowUpStatus.DONE, done_on=date(2025, 6, 21),
        )  # fmt: skip
        factories.make_followup(companies[1], advisor, date(2025, 6, 25), title="Send the form")
        factories.make_event("Webinar: energy prices", date(2025, 6, 18), cluster_id=cluster.id,
                             companies=[companies[0], companies[1]])  # fmt: skip
        db.session.commit()
        return {"cluster_id": cluster.id, "company_ids": [c.id for c in companies]}


def _generate(client, edition: str = "internal", scope: str = "all", month: str = MONTH) -> int:
    response = client.post("/reports", data={"month": month, "scope": scope, "edition": edition})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/reports/(\d+)$", response.headers["Location"])[1])


def _line(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith(label))


def _signed(value: float) -> str:
    """A balance as the report prints it: +12.5, 0.0, and a minus sign (U+2212) below zero."""
    return f"{value:+.1f}".replace("-", "−") if value else "0.0"


# -- generation, preview, JSON and PDF ------------------------------------------------------------


def test_json_and_pdf_of_a_report_carry_the_same_numbers(app, client, login_as, dataset, tmp_path):
    login_as("advisor")
    report_id = _generate(client, "internal")
    document = client.get(f"/reports/{report_id}/json").get_json()
    assert document["month"] == MONTH and document["scope"] == "all"
    assert document["portfolio"]["companies"] == 5
    assert document["activity"]["interactions"] == 5
    assert document["activity"]["by_type"]["visit"] == 1
    response = client.get(f"/reports/{report_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="sector-health-all-2025-06-internal-en.pdf"'
    )
    text = pdf_text(response.data, tmp_path)
    expected = {
        "Companies in the portfolio": str(document["portfolio"]["companies"]),
        "Interactions": str(document["activity"]["interactions"]),
        "Companies contacted": str(document["activity"]["companies_contacted"]),
        "Coverage over 90 days": f"{document['activity']['coverage_90d_pct']:.1f}%",
        "Companies assessed": str(document["health"]["companies_assessed"]),
        "Turnover balance": _signed(document["health"]["balances"]["turnover"]),
        "Order book balance": _signed(document["health"]["balances"]["orders"]),
        "Short-time work (share answering yes)": (
            f"{document['health']['short_time_work_pct']:.1f}%"
        ),
        "Needs identified": str(document["needs"]["identified_total"]),
        "Solutions suggested": str(document["solutions"]["suggested"]),
        "Follow-ups completed": str(document["followups"]["completed"]),
        "Events held": str(document["events"]["held"]),
    }
    for label, value in expected.items():
        line = _line(text, label)
        first = line.strip()[len(label) :].split()[0]
        assert first == value, f"{label}: PDF {first!r}, JSON {value!r}"
    # The same figures in the preview page.
    html = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Moselle Precision Castings S.à r.l." in html
    assert 'src="data:image/svg+xml;base64,' in html and 'alt="Stacked bar chart' in html


def test_ministry_edition_names_no_company_person_or_note(client, login_as, dataset, tmp_path):
    login_as("advisor")
    report_id = _generate(client, "ministry", scope="materials-manufacturing")
    pdf = client.get(f"/reports/{report_id}/pdf").data
    text = pdf_text(pdf, tmp_path, layout=False)
    secrets = [*COMPANIES, *PEOPLE, *NOTES, PARTNER, "Advisor Tester", "Moselle", "Send the form"]
    for secret in secrets:
        assert secret not in text, secret
    assert "Referral to a named partner" in text
    assert "Materials & Manufacturing" in text and "Ministry edition" in text
    layout = pdf_text(pdf, tmp_path)
    assert re.search(r"Site visits\s+<\s?3", layout), "one visit is a small cell"
    assert re.search(r"New markets and diversification\s+<\s?3", layout)
    assert "Small numbers (ministry edition)" in layout
    # The JSON keeps the real integers and names nobody either.
    raw = client.get(f"/reports/{report_id}/json").get_data(as_text=True)
    document = json.loads(raw)
    assert document["activity"]["by_type"]["visit"] == 1
    assert document["needs"]["identified"]["new-markets"] == 1
    assert document["companies_at_risk"] == []
    assert document["solutions"]["by_instrument"]["Referral to a named partner"] == 1
    for secret in [*COMPANIES, *PEOPLE, *NOTES, PARTNER, "Advisor Tester"]:
        assert secret not in raw
    # The preview of the ministry edition hides the same cells.
    html = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Moselle" not in html and "&lt; 3" in html


def test_internal_edition_lists_companies_at_high_or_critical_risk(
    client, login_as, dataset, tmp_path
):
    login_as("advisor")
    report_id = _generate(client, "internal")
    document = client.get(f"/reports/{report_id}/json").get_json()
    assert document["solutions"]["by_instrument"][f"Referral: {PARTNER}"] == 1
    listed = {row["company"]: row for row in document["companies_at_risk"]}
    assert set(listed) == {COMPANIES[0], COMPANIES[1]}
    text = pdf_text(client.get(f"/reports/{report_id}/pdf").data, tmp_path, layout=False)
    assert "Companies at high or critical risk" in text
    for name in (COMPANIES[0], COMPANIES[1]):
        assert name in text
    assert COMPANIES[2] not in text.split("Companies at high or critical risk")[-1]
    assert "Advisor Tester" in text and "Cash and liquidity" in text and "Critical" in text


def test_generating_twice_refreshes_the_same_draft(app, client, login_as, dataset):
    login_as("advisor")
    first = _generate(client, "ministry")
    second = _generate(client, "ministry")
    assert first == second
    other = _generate(client, "internal")
    assert other != first
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 2


def test_generation_form_refuses_a_bad_or_future_month(client, login_as, dataset):
    login_as("advisor")
    html = client.get("/reports").get_data(as_text=True)
    assert "Generate a draft" in html
    for month, message in (
        ("2025-13", "Month must be YYYY-MM"),
        ("2999-01", "has not started yet"),
    ):
        response = client.post(
            "/reports", data={"month": month, "scope": "all", "edition": "ministry"}
        )
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)


# -- summary, finalisation, freezing --------------------------------------------------------------


def test_summary_is_escaped_in_the_preview_and_literal_in_the_pdf(
    client, login_as, dataset, tmp_path
):
    login_as("manager")
    report_id = _generate(client, "ministry")
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    version = form_version(page)
    summary = 'Orders fell <script>alert("x")</script> <b>sharply</b>.\n\nSecond paragraph.'
    response = client.post(
        f"/reports/{report_id}/summary", data={"summary": summary, "version": version}
    )
    assert response.status_code == 302
    # Once final the preview prints it as the report does, escaped, paragraphs kept.
    assert client.post(f"/reports/{report_id}/finalise").status_code == 302
    html = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &lt;b&gt;sharply&lt;/b&gt;." in html
    assert '<script>alert("x")' not in html and "<b>sharply" not in html
    assert "<p>Second paragraph.</p>" in html
    text = pdf_text(client.get(f"/reports/{report_id}/pdf").data, tmp_path)
    assert 'Orders fell <script>alert("x")</script> <b>sharply</b>.' in text


def test_a_concurrent_summary_edit_is_not_overwritten(app, client, login_as, dataset):
    login_as("manager")
    report_id = _generate(client, "ministry")
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    version = form_version(page)
    assert (
        client.post(
            f"/reports/{report_id}/summary", data={"summary": "Theirs.", "version": version}
        ).status_code
        == 302
    )
    stale = client.post(
        f"/reports/{report_id}/summary", data={"summary": "Mine.", "version": version}
    )
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Someone else saved this report" in html
    assert "Theirs." in html and "Mine." in html  # their change listed, my text kept
    with app.app_context():
        assert db.session.get(Report, report_id).summary == "Theirs."


def test_a_final_report_never_changes(app, client, login_as, dataset, tmp_path):
    login_as("manager")
    report_id = _generate(client, "internal", scope="materials-manufacturing")
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    client.post(
        f"/reports/{report_id}/summary",
        data={"summary": "All quiet.", "version": form_version(page)},
    )
    assert client.post(f"/reports/{report_id}/finalise").status_code == 302
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert (
            report.status is ReportStatus.FINAL
            and report.finalised_by.email == "manager@example.lu"
        )
        stored, sha = report.pdf, report.pdf_sha256
    assert hashlib.sha256(stored).hexdigest() == sha
    first_pdf = client.get(f"/reports/{report_id}/pdf").data
    first_json = client.get(f"/reports/{report_id}/json").data
    first_page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert first_pdf == stored
    assert "Finalised on" in pdf_text(first_pdf, tmp_path)

    # The data changes: a new contact, a renamed company; then a new draft of the same report.
    with app.app_context():
        company = db.session.get(Company, dataset["company_ids"][0])
        company.legal_name = "Renamed Castings S.A."
        factories.make_interaction(
            company, factories.make_user(email="x@example.lu").id, date(2025, 6, 28)
        )
        db.session.commit()
    new_id = _generate(client, "internal", scope="materials-manufacturing")
    assert new_id != report_id
    assert client.get(f"/reports/{new_id}/json").get_json()["activity"]["interactions"] == 6

    assert client.get(f"/reports/{report_id}/pdf").data == first_pdf
    assert client.get(f"/reports/{report_id}/json").data == first_json
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Renamed Castings" not in page and COMPANIES[0] in page
    assert page.count('<td class="num">5</td>') == first_page.count('<td class="num">5</td>')
    with app.app_context():
        assert db.session.get(Report, report_id).pdf_sha256 == sha

    # Nothing about it can be changed any more.
    refused = client.post(
        f"/reports/{report_id}/summary", data={"summary": "Changed."}, follow_redirects=True
    )
    assert "This report is final: it can no longer be changed." in refused.get_data(as_text=True)
    again = client.post(f"/reports/{report_id}/finalise", follow_redirects=True)
    assert "This report is final" in again.get_data(as_text=True)
    client.post(f"/reports/{report_id}/regenerate")
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.summary == "All quiet." and report.pdf == stored
    assert 'name="summary"' not in page


# -- access by role -------------------------------------------------------------------------------


def _reports(app, users) -> dict[str, int]:
    """One report of each kind, made directly."""
    with app.app_context():
        made = {}
        for edition in ReportEdition:
            for status in ReportStatus:
                report = Report(
                    month=MONTH,
                    edition=edition,
                    status=status,
                    figures=None,
                    generated_by_id=users["advisor"].id,
                    pdf=b"%PDF-stored" if status is ReportStatus.FINAL else None,
                    pdf_sha256=hashlib.sha256(b"%PDF-stored").hexdigest()
                    if status is ReportStatus.FINAL
                    else None,
                )
                db.session.add(report)
                db.session.flush()
                made[f"{status.value}-{edition.value}"] = report.id
        db.session.commit()
        return made


def test_viewer_sees_only_final_ministry_reports(app, client, login_as, users, dataset):
    made = _reports(app, users)
    login_as("viewer")
    html = client.get("/reports").get_data(as_text=True)
    assert "Generate a draft" not in html
    assert html.count('href="/reports/') == 2  # the month link and the PDF link
    assert f'/reports/{made["final-ministry"]}"' in html
    visible = made["final-ministry"]
    assert client.get(f"/reports/{visible}").status_code == 200
    assert client.get(f"/reports/{visible}/pdf").data == b"%PDF-stored"
    for key in ("draft-ministry", "draft-internal", "final-internal"):
        for suffix in ("", "/pdf", "/json"):
            assert client.get(f"/reports/{made[key]}{suffix}").status_code == 404, key + suffix
    form = {"month": MONTH, "scope": "all", "edition": "ministry"}
    assert client.post("/reports", data=form).status_code == 403
    assert client.post(f"/reports/{visible}/finalise").status_code == 403
    assert client.post(f"/reports/{visible}/regenerate").status_code == 403


def test_advisor_generates_but_cannot_write_summary_or_finalise(
    app, client, login_as, users, dataset
):
    login_as("advisor")
    report_id = _generate(client, "internal")
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert "Regenerate" in page and 'name="summary"' not in page
    assert '>\n      <i class="bi bi-lock"' not in page and "Finalise</button>" not in page
    assert client.post(f"/reports/{report_id}/summary", data={"summary": "x"}).status_code == 403
    assert client.post(f"/reports/{report_id}/finalise").status_code == 403
    assert client.post(f"/reports/{report_id}/regenerate").status_code == 302
    made = _reports(app, users)
    html = client.get("/reports").get_data(as_text=True)
    for report in made.values():
        assert f'/reports/{report}"' in html
    with app.app_context():
        assert db.session.get(Report, report_id).status is ReportStatus.DRAFT


def test_manager_writes_the_summary_and_finalises(app, client, login_as, dataset):
    login_as("manager")
    report_id = _generate(client, "ministry")
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert 'name="summary"' in page and "Finalise</button>" in page
    saved = client.post(
        f"/reports/{report_id}/summary",
        data={"summary": "Orders recover.", "version": form_version(page)},
        follow_redirects=True,
    )
    assert "Summary saved." in saved.get_data(as_text=True)
    done = client.post(f"/reports/{report_id}/finalise", follow_redirects=True)
    assert "Report finalised" in done.get_data(as_text=True)
    with app.app_context():
        report = db.session.get(Report, report_id)
        assert report.status is ReportStatus.FINAL and report.summary == "Orders recover."
        assert report.pdf.startswith(b"%PDF") and len(report.pdf_sha256) == 64


def test_archive_statements_do_not_grow_with_reports(app, client, login_as, users):
    login_as("advisor")

    def add(n: int) -> None:
        with app.app_context():
            cluster = db.session.scalar(db.select(Cluster))
            for i in range(n):
                db.session.add(
                    Report(
                        month=f"20{10 + i % 15:02d}-{1 + i % 12:02d}",
                        cluster_id=cluster.id if i % 2 else None,
                        edition=ReportEdition.INTERNAL if i % 3 else ReportEdition.MINISTRY,
                        status=ReportStatus.FINAL if i % 2 else ReportStatus.DRAFT,
                        generated_by_id=users["advisor"].id,
                        finalised_by_id=users["manager"].id if i % 2 else None,
                        finalised_at=db.func.now() if i % 2 else None,
                    )
                )
            db.session.commit()

    add(3)
    client.get("/reports")
    with count_statements(app) as few:
        assert client.get("/reports").status_code == 200
    add(27)
    with count_statements(app) as many:
        html = client.get("/reports").get_data(as_text=True)
    assert len(many) == len(few), (few, many)
    assert "1–25 of 30" in html


# -- the command line -----------------------------------------------------------------------------


def test_cli_writes_the_ministry_pdf_by_default(runner, dataset, tmp_path):
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", "monthly", "--month", MONTH, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith(f"Wrote {out} (pdf, all, {MONTH}, ministry edition")
    assert len(result.stdout.strip().splitlines()) == 1
    text = pdf_text(out.read_bytes(), tmp_path, layout=False)
    assert "Ministry edition" in text and "All clusters" in text and "June 2025" in text
    assert COMPANIES[0] not in text and "No executive summary" in text


def test_cli_writes_json(runner, dataset, tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(
        args=["report", "monthly", "--month", MONTH, "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert (document["scope"], document["edition"], document["month"]) == ("all", "ministry", MONTH)
    assert list(document)[:11] == [
        "month", "scope", "edition", "portfolio", "activity", "health", "needs", "solutions",
        "followups", "events", "previous",
    ]  # fmt: skip
    out = tmp_path / "internal.json"
    result = runner.invoke(
        args=["report", "monthly", "--month", MONTH, "--cluster", "Materials-Manufacturing",
              "--edition", "internal", "--format", "json", "--out", str(out)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["scope"] == "materials-manufacturing" and document["edition"] == "internal"
    assert {row["company"] for row in document["companies_at_risk"]} == {COMPANIES[0], COMPANIES[1]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-13"], "Error: Month must be YYYY-MM, e.g. 2026-10"),
        (["--month", "June"], "Error: Month must be YYYY-MM, e.g. 2026-10"),
        (["--month", "2999-01"], "Error: January 2999 has not started yet"),
        (["--month", MONTH, "--cluster", "nowhere"], "Error: Unknown cluster: nowhere."),
        (["--month", MONTH, "--edition", "press"], "Error: Invalid value for '--edition'"),
        (["--cluster", "wood"], "Error: Missing option '--month'."),
    ],
)
def test_cli_refuses_bad_input_in_one_line(runner, users, tmp_path, args, message):
    result = runner.invoke(args=["report", "monthly", *args, "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code != 0
    assert result.stderr.strip().startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "r.pdf").exists()


def test_cli_refuses_an_unwritable_path(runner, users, tmp_path):
    for out, reason in (
        (tmp_path / "missing" / "r.pdf", "does not exist"),
        (tmp_path, "is a directory"),
        (Path("/proc/version"), ""),  # root may open it, but the kernel refuses the write
    ):
        result = runner.invoke(args=["report", "monthly", "--month", MONTH, "--out", str(out)])
        assert result.exit_code != 0, out
        assert result.stderr.startswith(f"Error: Cannot write {out}") and reason in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
