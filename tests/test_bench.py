"""The benchmark (bench/run.py) runs end to end at a tiny scale and reports every figure."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from bench import run
from tracker.demo.volume import VolumeRefused, seed_volume
from tracker.extensions import db


def test_seed_volume_fills_every_table_in_proportion(app: Flask) -> None:
    with app.app_context():
        summary = seed_volume(40, 2_000)
        db.session.commit()
        counts = {
            table: db.session.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar()  # noqa: S608
            for table in (
                "companies",
                "people",
                "interactions",
                "health_checks",
                "needs",
                "solutions",
                "followups",
                "events",
            )
        }
        busiest = db.session.execute(
            sa.text(
                "SELECT company_id FROM interactions GROUP BY company_id "
                "ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar()
    assert counts["companies"] == 40
    assert counts["people"] == 80
    assert counts["interactions"] == 2_000
    assert 500 < counts["health_checks"] < 850
    assert 150 < counts["needs"] < 350
    assert 0 < counts["solutions"] < counts["needs"]
    assert 250 < counts["followups"] < 550
    assert counts["events"] == 1
    assert summary.busiest_company_id == busiest


def test_seed_volume_refuses_a_database_with_companies(app: Flask) -> None:
    with app.app_context():
        seed_volume(2, 10)
        db.session.commit()
        with pytest.raises(VolumeRefused, match="already holds companies"):
            seed_volume(2, 10)


def test_seed_volume_command_prints_counts(runner) -> None:
    result = runner.invoke(args=["seed-volume", "--companies", "5", "--interactions", "50"])
    assert result.exit_code == 0, result.output
    assert "5 companies" in result.output and "50 interactions" in result.output
    again = runner.invoke(args=["seed-volume", "--companies", "5", "--interactions", "50"])
    assert again.exit_code != 0
    assert "already holds companies" in again.output


def test_benchmark_runs_at_a_tiny_scale_and_writes_its_table(tmp_path: Path) -> None:
    # The PostgreSQL pass of the suite benchmarks PostgreSQL, in a database of its own.
    url = os.environ.get("TEST_DATABASE_URL", "")
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    if database == "postgresql":
        os.environ.setdefault("BENCH_PG_URL", url.rsplit("/", 1)[0])
    out = tmp_path / "benchmarks.md"
    code = run.main(
        [
            "--scales",
            "tiny,tiny-10x",
            "--databases",
            database,
            "--repeat",
            "2",
            "--load-seconds",
            "1",
            "--import-rows",
            "50",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = out.read_text()
    assert "# Benchmarks" in text and "Machine:" in text
    for page in (
        "Dashboard (advisor)",
        "Companies, search",
        "Company page (busiest)",
        "Log a contact (form)",
        "Follow-ups",
        "Pipeline board",
        "Reports archive",
    ):
        assert page in text
    assert re.search(
        r"Monthly report \(median of 3 runs of the command\): JSON [0-9.]+ s, PDF [0-9.]+ s "
        r"\((ok|\*\*over\*\*); the first PDF of the process [0-9.]+ s\)",
        text,
    )
    assert "Import of 50 companies" in text
    assert "Gunicorn" in text and " 0 errors" in text
    assert "| 0 |" not in text  # every page ran SQL, so every page was measured
    # Both scales measured, and the growth from one to the other.
    assert "200 companies" in text and "## Growth from 1× to 10× the data" in text
