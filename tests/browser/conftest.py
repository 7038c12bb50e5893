"""A live server on a free port and Playwright driving Debian's Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import make_server

from tracker import dates
from tracker.extensions import db

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", "/usr/lib/chromium/chromium") if os.path.exists(p)),
    "/usr/bin/chromium",
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # Playwright cannot download its own browser here: use Debian's Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1366, "height": 800}, "locale": "en-GB"}


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-results/screenshots/ for a person to look at."""

    def _shot(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


# The demo data set, for the page walks of the accessibility tests.


@dataclass(frozen=True)
class DemoSite:
    """The demo data set (tracker/demo), with its accounts and the ids of the records that the
    page walks open; `ids` fills the `{placeholders}` of their paths."""

    accounts: dict[str, tuple[str, str]]  # role -> (e-mail, password)
    ids: dict[str, int | str]


@pytest.fixture
def demo_site(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoSite:
    """The demo data set with two reports of last month, and uploads kept in a temporary folder."""
    from tracker.demo.seed import seed_demo
    from tracker.models import (
        Cluster,
        Company,
        Event,
        Instrument,
        Interaction,
        Market,
        Need,
        NeedCategory,
        Person,
        ReportEdition,
        Solution,
        User,
    )
    from tracker.reports import services as reports
    from tracker.reports.figures import previous_month

    monkeypatch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(tmp_path))
    with app.app_context():
        summary = seed_demo()
        accounts: dict[str, tuple[str, str]] = {}
        for account in summary.accounts:  # the first account of each role is the one shown
            accounts.setdefault(account.role, (account.email, account.password))
        users = {
            role: db.session.scalars(sa.select(User).where(User.email == email)).one()
            for role, (email, _password) in accounts.items()
        }
        advisor = users["advisor"]
        # The advisor's company with the longest history: timeline, needs, people, chart.
        company_id = db.session.scalars(
            sa.select(Company.id)
            .join(Interaction, Interaction.company_id == Company.id)
            .where(Company.owner_id == advisor.id)
            .group_by(Company.id)
            .order_by(sa.func.count(Interaction.id).desc(), Company.id)
            .limit(1)
        ).one()
        need_id = db.session.scalars(
            sa.select(Need.id)
            .join(Solution, Solution.need_id == Need.id)
            .where(Need.company_id == company_id)
            .group_by(Need.id)
            .order_by(sa.func.count(Solution.id).desc(), Need.id)
            .limit(1)
        ).one()
        materials = db.session.scalars(
            sa.select(Cluster).where(Cluster.slug == "materials-manufacturing")
        ).one()
        last_month = previous_month(dates.today().strftime("%Y-%m"))
        draft = reports.generate_report(
            last_month, materials, ReportEdition.INTERNAL, users["manager"]
        )
        final = reports.generate_report(last_month, None, ReportEdition.MINISTRY, users["manager"])
        reports.finalise_report(final, users["manager"])
        other_advisor = db.session.scalars(
            sa.select(User.id)
            .where(User.role == advisor.role, User.id != advisor.id)
            .order_by(User.id)
            .limit(1)
        ).one()
        ids: dict[str, int | str] = {
            "company": company_id,
            "person": db.session.scalars(
                sa.select(Person.id).where(Person.company_id == company_id).order_by(Person.id)
            ).first(),
            "interaction": db.session.scalars(
                sa.select(Interaction.id)
                .where(Interaction.company_id == company_id, Interaction.advisor_id == advisor.id)
                .order_by(Interaction.occurred_on.desc(), Interaction.id.desc())
            ).first(),
            "need": need_id,
            "solution": db.session.scalars(
                sa.select(Solution.id).where(Solution.need_id == need_id).order_by(Solution.id)
            ).first(),
            "event": db.session.scalars(
                sa.select(Event.id).order_by(Event.held_on.desc(), Event.id)
            ).first(),
            "draft_report": draft.id,
            "final_report": final.id,
            "other_advisor": other_advisor,
            "cluster": materials.id,
            "cluster_slug": materials.slug,
            "category": db.session.scalars(
                sa.select(NeedCategory.id).where(NeedCategory.slug == "liquidity")
            ).one(),
            "instrument": db.session.scalars(
                sa.select(Instrument.id).order_by(Instrument.id)
            ).first(),
            "market": db.session.scalars(sa.select(Market.id).order_by(Market.id)).first(),
        }
        db.session.commit()
    missing = [name for name, value in ids.items() if value is None]
    assert not missing, f"the demo data set has no record for {missing}"
    return DemoSite(accounts=accounts, ids=ids)


def set_locale(app: Flask, email: str, locale: str | None) -> None:
    """Store a user's language on their profile (users.locale), as the account page does."""
    from tracker.models import User

    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == email).values(locale=locale))
        db.session.commit()


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form, whatever the page's language (fields found by name)."""
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form [type=submit]").click()
    assert page.locator("[data-testid=user-name]").count() == 1, f"{email} could not sign in"


@pytest.fixture
def new_context(
    browser: Browser, browser_context_args: dict
) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts (the session's settings, overridden by keyword); all closed after."""
    opened: list[BrowserContext] = []

    def _open(**overrides: object) -> BrowserContext:
        context = browser.new_context(**{**browser_context_args, **overrides})
        opened.append(context)
        return context

    yield _open
    for context in opened:
        context.close()
