"""The benchmark of DESIGN.md section 6: `make bench` (or `python -m bench.run --help`).

For each database (SQLite, PostgreSQL) and each scale (5,000 companies / 100,000 contacts, then
ten times that), it builds a fresh database with `seed-volume`, then measures:

- each main page, in process through the WSGI stack (server time: request in, response out),
  p50 and p95 over repeated requests after a warm-up, and the SQL statements per request; the
  scales of a database are all built first and their requests then take turns, so that the
  growth from one scale to the next is measured in the same moments;
- the monthly report: JSON and PDF, as `flask report monthly` makes them;
- the import of 10,000 companies (`flask import companies`);
- the throughput of the app under gunicorn with several concurrent clients, and its errors.

It prints a table and writes it, with the machine it ran on, to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from config import Config  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.demo.volume import VOLUME_PASSWORD, seed_volume  # noqa: E402
from tracker.extensions import db  # noqa: E402

SCALES = {
    "tiny": (20, 300),
    "tiny-10x": (200, 3_000),
    "base": (5_000, 100_000),
    "10x": (50_000, 1_000_000),
}
TEN_TIMES = {"10x": "base", "tiny-10x": "tiny"}  # a scale, and the one a tenth of it
# Targets of DESIGN.md section 6, in milliseconds (p95, server side, one user).
LIST_DETAIL_FORM_MS = 100
DASHBOARD_PIPELINE_MS = 200
REPORT_SECONDS = 3.0


class BenchConfig(Config):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.SECRET_KEY = "benchmark-only-secret"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.RATELIMIT_ENABLED = False


@dataclass
class PageFigure:
    name: str
    url: str
    kind: str  # "page" (100 ms target) or "dashboard" (200 ms target)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    statements: int = 0
    status: int = 0

    @property
    def target_ms(self) -> int:
        return DASHBOARD_PIPELINE_MS if self.kind == "dashboard" else LIST_DETAIL_FORM_MS


@dataclass
class RunResult:
    database: str
    scale: str
    companies: int
    interactions: int
    seed_seconds: float = 0.0
    pages: list[PageFigure] = field(default_factory=list)
    report_json_seconds: float = 0.0
    report_pdf_seconds: float = 0.0
    report_pdf_first_seconds: float = 0.0
    import_seconds: float = 0.0
    import_rows: int = 0
    throughput: load.LoadResult | None = None


# ---------------------------------------------------------------------------------- databases


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """A new, empty database URL of `kind`; PostgreSQL databases are dropped afterwards."""
    if kind == "sqlite":
        path = workdir / f"bench-{time.time_ns()}.sqlite"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    base = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")
    name = f"tracker_bench_{time.time_ns()}"
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build(url: str, companies: int, interactions: int) -> tuple[Flask, float, int]:
    from flask_migrate import upgrade

    app = create_app(BenchConfig(url))
    with app.app_context():
        upgrade()
        summary = seed_volume(companies, interactions)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
    return app, summary.seconds, summary.busiest_company_id


# ---------------------------------------------------------------------------------- pages


def sign_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login", data={"email": email, "password": VOLUME_PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"Could not sign in as {email} ({response.status_code}).")
    return client


def pages_to_measure(app: Flask, busiest: int) -> list[tuple[str, str, str, str]]:
    """(name, role e-mail, url, kind) for every main page."""
    with app.app_context():
        advisor = db.session.execute(
            sa.text(
                "SELECT u.email FROM users u JOIN companies c ON c.owner_id = u.id "
                "GROUP BY u.email ORDER BY COUNT(*) DESC, u.email LIMIT 1"
            )
        ).scalar_one()
        manager = db.session.execute(
            sa.text("SELECT email FROM users WHERE role = 'manager' ORDER BY id LIMIT 1")
        ).scalar_one()
        month = db.session.execute(sa.text("SELECT MAX(occurred_on) FROM interactions")).scalar()
    del month
    return [
        ("Dashboard (advisor)", advisor, "/", "dashboard"),
        ("Dashboard (manager)", manager, "/", "dashboard"),
        ("Companies list", advisor, "/companies", "page"),
        ("Companies, search", advisor, "/companies?q=precision", "page"),
        (
            "Companies, filters",
            advisor,
            "/companies?status=active&risk=high&silent=90&sort=-contact",
            "page",
        ),
        ("Company page (busiest)", advisor, f"/companies/{busiest}", "page"),
        ("Log a contact (form)", advisor, f"/interactions/new?company={busiest}", "page"),
        ("Follow-ups", advisor, "/followups", "page"),
        ("Pipeline board", manager, "/pipeline/board", "dashboard"),
        ("Pipeline workload", manager, "/pipeline/workload", "dashboard"),
        ("Pipeline funnel", manager, "/pipeline/funnel", "dashboard"),
        ("Reports archive", manager, "/reports", "page"),
    ]


def measure_pages(apps: list[tuple[Flask, int]], repeat: int) -> list[list[PageFigure]]:
    """Each page of each (app, busiest company) `repeat` times, the apps taking turns request by
    request: the machine's speed drifts over minutes (a shared host), and the growth from one
    scale to the next is only meaningful when both are timed in the same moments."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith("BEGIN"):  # transaction control
            statements.append(statement)

    engines = []
    for app, _ in apps:
        with app.app_context():
            engines.append(db.engine)
    pages = [pages_to_measure(app, busiest) for app, busiest in apps]
    clients: list[dict[str, FlaskClient]] = [{} for _ in apps]
    figures: list[list[PageFigure]] = [[] for _ in apps]
    for index in range(len(pages[0])):
        turns = []
        for n, (app, _) in enumerate(apps):
            name, email, url, kind = pages[n][index]
            client = clients[n].get(email) or clients[n].setdefault(email, sign_in(app, email))
            client.get(url)  # warm-up: caches, prepared plans
            turns.append((client, url, PageFigure(name=name, url=url, kind=kind), []))
        for _ in range(repeat):
            for n, (client, url, figure, timings) in enumerate(turns):
                statements.clear()
                sa.event.listen(engines[n], "before_cursor_execute", count)
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                sa.event.remove(engines[n], "before_cursor_execute", count)
                figure.status = response.status_code
                figure.statements = len(statements)
        for n, (_, _, figure, timings) in enumerate(turns):
            timings.sort()
            figure.p50_ms = statistics.median(timings)
            figure.p95_ms = timings[max(0, round(0.95 * len(timings)) - 1)]
            figures[n].append(figure)
    return figures


# ---------------------------------------------------------------------------------- report, import


def time_command(app: Flask, args: list[str]) -> float:
    runner = app.test_cli_runner()
    started = time.perf_counter()
    result = runner.invoke(args=args)
    elapsed = time.perf_counter() - started
    if result.exit_code != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed: {result.output.strip()}")
    return elapsed


REPORT_RUNS = 3  # runs of each report command; the median is the figure


def measure_report(app: Flask, workdir: Path) -> tuple[float, float, float]:
    """The median time of `report monthly` as JSON and as PDF over REPORT_RUNS runs each, and
    the first PDF's time (which also loads the fonts, the hyphenation patterns and Matplotlib
    into the process)."""
    with app.app_context():
        last = db.session.execute(sa.text("SELECT MAX(occurred_on) FROM interactions")).scalar()
    month = str(last)[:7] if last else datetime.now(UTC).strftime("%Y-%m")
    out = workdir / "report"
    runs = {}
    for kind in ("json", "pdf"):
        args = ["report", "monthly", "--month", month, "--format", kind, "--out", f"{out}.{kind}"]
        runs[kind] = [time_command(app, args) for _ in range(REPORT_RUNS)]
    return statistics.median(runs["json"]), statistics.median(runs["pdf"]), runs["pdf"][0]


def write_company_file(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "rcs_number", "nace_code", "employees", "postal_code", "locality"])
        for n in range(rows):
            writer.writerow(
                [f"Imported Company {n + 1} S.A.", f"B{900000 + n}", "25.62", 12, "L-4362", "Esch"]
            )


def measure_import(app: Flask, workdir: Path, rows: int) -> float:
    path = workdir / "companies.csv"
    write_company_file(path, rows)
    return time_command(app, ["import", "companies", str(path)])


# ---------------------------------------------------------------------------------- report table


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"a Python loop of 10 million additions in {python_speed():.2f} s"
    )


def python_speed() -> float:
    """Seconds for a plain Python loop (the best of three): machines that report the same CPU
    can differ threefold, so runs on different ones compare through this."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "**over**"


def render(results: list[RunResult], started: datetime, note: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Made by `make bench` (bench/run.py). Server time is measured in process through the "
        "whole WSGI stack (routing, session, queries, templates), one user, after one warm-up "
        "request; both scales of a database take turns request by request, so that the "
        "machine's drift does not count as growth. Targets (DESIGN.md 6): p95 under 100 ms for "
        "list, detail and form pages, under 200 ms for dashboards and the pipeline, constant "
        "statements per page, the monthly PDF under 3 s, and at ten times the data no page "
        "more than 1.5 times slower.",
        "",
        f"- Run: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}",
    ]
    if note:
        lines.append(f"- Note: {note}")
    for result in results:
        lines += [
            "",
            f"## {result.database}, {result.companies:,} companies / "
            f"{result.interactions:,} contacts ({result.scale})",
            "",
            f"Data generated by `seed-volume` in {result.seed_seconds:.1f} s.",
            "",
            "| page | p50 ms | p95 ms | target ms | statements | |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for page in result.pages:
            lines.append(
                f"| {page.name} (`{page.url}`) | {page.p50_ms:.1f} | {page.p95_ms:.1f} | "
                f"{page.target_ms} | {page.statements} | {verdict(page.p95_ms, page.target_ms)} |"
            )
        lines += [
            "",
            f"- Monthly report (median of {REPORT_RUNS} runs of the command): JSON "
            f"{result.report_json_seconds:.2f} s, PDF {result.report_pdf_seconds:.2f} s "
            f"({verdict(result.report_pdf_seconds, 3.0)}; the first PDF of the process "
            f"{result.report_pdf_first_seconds:.2f} s)",
            f"- Import of {result.import_rows:,} companies (CSV): {result.import_seconds:.1f} s",
        ]
        if result.throughput is not None:
            t = result.throughput
            lines.append(
                f"- Gunicorn ({t.workers} workers), {t.clients} concurrent clients for "
                f"{t.seconds:.0f} s over {len(t.urls)} pages with {t.tool}: "
                f"{t.requests_per_second:.1f} requests/s, {t.requests:,} requests, "
                f"{t.errors} errors"
            )
    by_key = {(r.database, r.scale): r for r in results}
    growth = []
    for (database, scale), big in by_key.items():
        base = by_key.get((database, TEN_TIMES.get(scale, "")))
        if base is None:
            continue
        for page_base, page_big in zip(base.pages, big.pages, strict=True):
            ratio = page_big.p95_ms / page_base.p95_ms if page_base.p95_ms else 0
            growth.append(
                f"| {database} | {page_base.name} | {ratio:.2f} | "
                f"{page_base.statements} → {page_big.statements} | {verdict(ratio, 1.5)} |"
            )
    if growth:
        lines += [
            "",
            "## Growth from 1× to 10× the data",
            "",
            "| database | page | p95 ratio | statements | |",
            "|---|---|---:|---|---|",
            *growth,
        ]
    changes = Path(__file__).with_name("changes.md")
    if changes.exists():
        lines += ["", changes.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------- main


def run_database(
    database: str,
    scales: list[str],
    workdir: Path,
    repeat: int,
    load_seconds: float,
    import_rows: int,
) -> list[RunResult]:
    """Every scale of one database: all generated first, their pages then timed together (see
    measure_pages), then each one's report, throughput and import."""
    with ExitStack() as stack:
        built: list[tuple[RunResult, str, Flask, int]] = []
        for scale in scales:
            companies, interactions = SCALES[scale]
            result = RunResult(database, scale, companies, interactions)
            url = stack.enter_context(fresh_database(database, workdir))
            print(
                f"== {database}, {scale}: generating {companies:,} / {interactions:,}", flush=True
            )
            app, result.seed_seconds, busiest = build(url, companies, interactions)
            print(f"   generated in {result.seed_seconds:.1f} s", flush=True)
            built.append((result, url, app, busiest))
        print(f"== {database}: measuring pages, {' and '.join(scales)} in turns", flush=True)
        pages = measure_pages([(app, busiest) for _, _, app, busiest in built], repeat)
        for (result, url, app, _), figures in zip(built, pages, strict=True):
            result.pages = figures
            print(f"== {database}, {result.scale}: report", flush=True)
            (
                result.report_json_seconds,
                result.report_pdf_seconds,
                result.report_pdf_first_seconds,
            ) = measure_report(app, workdir)
            if load_seconds > 0:
                print("   gunicorn throughput", flush=True)
                with app.app_context():
                    email = db.session.execute(
                        sa.text(
                            "SELECT email FROM users WHERE role = 'manager' ORDER BY id LIMIT 1"
                        )
                    ).scalar_one()
                urls = [p.url for p in result.pages]
                result.throughput = load.measure(url, email, VOLUME_PASSWORD, urls, load_seconds)
            print(f"   import of {import_rows:,} companies", flush=True)
            result.import_rows = import_rows
            result.import_seconds = measure_import(app, workdir, import_rows)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return [result for result, _, _, _ in built]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="base,10x", help="tiny, base, 10x (comma-separated)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--load-seconds", type=float, default=15.0, help="0 skips gunicorn")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"), help="'-': none")
    parser.add_argument("--note", default="", help="a line added to the report")
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    results = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        for database in args.databases.split(","):
            results += run_database(
                database.strip(),
                [scale.strip() for scale in args.scales.split(",")],
                Path(tmp),
                args.repeat,
                args.load_seconds,
                args.import_rows,
            )
    text = render(results, started, args.note)
    print(text)
    if args.out != "-":
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Written to {args.out}")
    return 0


if __name__ == "__main__":
    if shutil.which("pg_isready") is None:
        print("Note: pg_isready not found; PostgreSQL runs need a server.", file=sys.stderr)
    raise SystemExit(main())
