"""Every page, for every role that sees it and in every language, meets WCAG 2.1 A and AA.

axe-core finds what a machine can (names, contrast, landmarks, table headers, ARIA); the checks
of this file add what axe leaves out or only suspects: a skip link that really moves the focus to
the content, one <main> and an <h1>, a visible outline on every focused control, and errors tied
to their fields. A second test looks at the pages at 320 CSS px wide and at 200 % zoom (WCAG
1.4.10 Reflow): no horizontal scrolling of the page, a menu that opens.

Each language opens one browser context per role, walks that role's share of the pages in
sequence (see `visits`), then reports every problem at once, each with its page, role and
language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import SCREENSHOTS, DemoSite, set_locale, sign_in

LANGUAGES = ("en", "fr", "de")
BROWSER_LOCALES = {"en": "en-GB", "fr": "fr-LU", "de": "de-LU"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

ADMIN = frozenset({"admin"})
MANAGERS = frozenset({"admin", "manager"})
STAFF = frozenset({"admin", "manager", "advisor"})
EVERYONE = frozenset({"admin", "manager", "advisor", "viewer"})
ROLES = ("advisor", "manager", "admin", "viewer")

# Import files: one that previews cleanly, one whose rows are wrong.
GOOD_IMPORT = (
    "name;rcs_number;postal_code;locality;clusters\r\n"
    "Sûre Laser Technologies S.A.;B 204 511;4362;Esch-sur-Alzette;materials-manufacturing\r\n"
    "Kayl Coatings S.à r.l.;;3601;Kayl;\r\n"
)
WRONG_IMPORT = (
    "name,rcs_number,postal_code,clusters,owner_email,status\r\n"
    "Kayl Coatings,X-17,12,nowhere,nobody@example.lu,open\r\n"
    ",B999,L-1234,,,\r\n"
)


# What the user does on a page after opening it, to bring it into the state under test.


def submit_main_form(page: Page) -> None:
    """Send the page's form as it is (empty fields and all): the errors come back."""
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit].btn-primary").last.click()


def submit_contact_with_errors(page: Page) -> None:
    """No company, and a follow-up without a due date."""
    page.locator("#followup-title").fill("Send the COVID-RDI form")
    with page.expect_navigation():
        page.locator(".contact-actions [type=submit]").click()


def fail_to_sign_in(page: Page) -> None:
    page.locator("input[name=email]").fill("nobody@demo.lu")
    page.locator("input[name=password]").fill("not the password")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()


def upload(text: str) -> Callable[[Page], None]:
    def _upload(page: Page) -> None:
        page.locator("input[type=file]").set_input_files(
            {"name": "companies.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}
        )
        with page.expect_navigation():
            page.locator("main form [type=submit].btn-primary").click()

    return _upload


@dataclass(frozen=True)
class Stop:
    """A page of the walk: where it is, who sees it, and what the user does there first."""

    name: str
    path: str  # `{placeholders}` from DemoSite.ids
    roles: frozenset[str]
    then: Callable[[Page], None] | None = None
    status: int = 200

    @property
    def shows_errors(self) -> bool:
        return self.name.endswith("-errors")


# A form's page "with errors" is the same form, filled with the user's answers and the messages:
# it stands for the empty form too.
STOPS = [
    Stop("dashboard", "/", EVERYONE),
    Stop("companies", "/companies", STAFF),
    Stop(
        "companies-filtered",
        "/companies?q=s&cluster={cluster_slug}&risk=high&silent=90&sort=-employees",
        STAFF,
    ),
    Stop("company", "/companies/{company}", STAFF),
    Stop("company-new-errors", "/companies/new", STAFF, then=submit_main_form),
    Stop("company-edit", "/companies/{company}/edit", STAFF),
    Stop("person-new-errors", "/companies/{company}/people/new", STAFF, then=submit_main_form),
    Stop("person-edit", "/companies/{company}/people/{person}/edit", STAFF),
    Stop("contact-new", "/interactions/new", STAFF),
    Stop("contact-new-for-company", "/interactions/new?company={company}", STAFF),
    Stop("contact-new-errors", "/interactions/new", STAFF, then=submit_contact_with_errors),
    Stop("contact", "/interactions/{interaction}", STAFF),
    Stop("contact-edit", "/interactions/{interaction}/edit", STAFF),
    Stop("contact-archive", "/interactions/{interaction}/archive", STAFF),
    Stop("contacts-archived", "/interactions/archived?company={company}", STAFF),
    Stop("need", "/needs/{need}", STAFF),
    Stop("solution", "/solutions/{solution}", STAFF),
    Stop("followups", "/followups", STAFF),
    Stop("followup-new-errors", "/followups/new?company={company}", STAFF, then=submit_main_form),
    Stop("events", "/events", STAFF),
    Stop("event", "/events/{event}", STAFF),
    Stop("event-new-errors", "/events/new", STAFF, then=submit_main_form),
    Stop("event-edit", "/events/{event}/edit", STAFF),
    Stop("event-participants", "/events/{event}/participants?q=steel", STAFF),
    Stop("pipeline-board", "/pipeline", STAFF),
    Stop("pipeline-list", "/pipeline?column=submitted", STAFF),
    Stop("pipeline-unaddressed", "/pipeline/unaddressed", STAFF),
    Stop("pipeline-workload", "/pipeline/workload", STAFF),
    Stop("pipeline-coverage", "/pipeline/coverage", STAFF),
    Stop("pipeline-funnel", "/pipeline/funnel", STAFF),
    Stop("reports", "/reports", EVERYONE),
    Stop("report-draft", "/reports/{draft_report}", STAFF),
    Stop("report-final", "/reports/{final_report}", EVERYONE),
    Stop("exports", "/exports", STAFF),
    Stop("import", "/companies/import", STAFF),
    Stop("import-preview", "/companies/import", STAFF, then=upload(GOOD_IMPORT)),
    Stop("import-refused", "/companies/import", STAFF, then=upload(WRONG_IMPORT)),
    Stop("retention", "/people/retention", MANAGERS),
    Stop("person-erase", "/people/{person}/erase", MANAGERS),
    Stop("history", "/history/company/{company}", STAFF),
    Stop("admin", "/admin/", ADMIN),
    Stop("admin-users", "/admin/users", ADMIN),
    Stop("admin-user-new-errors", "/admin/users/new", ADMIN, then=submit_main_form),
    Stop("admin-user-edit", "/admin/users/{other_advisor}/edit", ADMIN),
    Stop("admin-clusters", "/admin/clusters", ADMIN),
    Stop("admin-cluster-new", "/admin/clusters/new", ADMIN),
    Stop("admin-cluster-edit", "/admin/clusters/{cluster}/edit", ADMIN),
    Stop("admin-categories", "/admin/need-categories", ADMIN),
    Stop("admin-category-edit", "/admin/need-categories/{category}/edit", ADMIN),
    Stop("admin-instruments", "/admin/instruments", ADMIN),
    Stop("admin-instrument-new", "/admin/instruments/new", ADMIN),
    Stop("admin-instrument-edit", "/admin/instruments/{instrument}/edit", ADMIN),
    Stop("admin-markets", "/admin/markets", ADMIN),
    Stop("admin-market-edit", "/admin/markets/{market}/edit", ADMIN),
    Stop("audit", "/admin/audit", ADMIN),
    Stop("audit-search", "/admin/audit?q=Precision&type=company", ADMIN),
    Stop("audit-errors", "/admin/audit?date_from=2026-13-45", ADMIN, status=400),
    Stop("account", "/account", EVERYONE),
    Stop("not-found", "/companies/987654321", STAFF, status=404),
    Stop("forbidden", "/admin/users", EVERYONE - ADMIN, status=403),
    Stop("forbidden-viewer", "/companies", frozenset({"viewer"}), status=403),
]
SIGNED_OUT = [
    Stop("login", "/login", frozenset()),
    Stop("login-failed", "/login", frozenset(), then=fail_to_sign_in),
]


# The checks of one page.

PAGE_STRUCTURE = """() => {
  const problems = [];
  const shown = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden";
  };
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "");
  const texts = (ids) => ids.map((id) => document.getElementById(id))
    .filter(Boolean).map((el) => el.textContent).join(" ").trim();
  const idsOf = (el, attr) => (el && el.getAttribute(attr) || "").split(/\\s+/).filter(Boolean);

  const mains = document.querySelectorAll("main, [role=main]");
  if (mains.length !== 1) problems.push(`${mains.length} main landmarks, not one`);
  if (!document.querySelector("h1")) problems.push("no <h1>");

  // Every form control has an accessible name (a label, aria-label(ledby) or a title).
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (el.closest("[aria-hidden=true]")) continue;
    const name = texts(idsOf(el, "aria-labelledby")) || (el.getAttribute("aria-label") || "").trim()
      || Array.from(el.labels || []).map((label) => label.textContent).join(" ").trim()
      || (["submit", "button", "reset"].includes(el.type) ? el.value : "")
      || (el.getAttribute("title") || "").trim();
    if (!name) problems.push(`${describe(el)} has no accessible name`);
  }

  // Errors are tied to their fields: aria-describedby names the message, aria-invalid is set.
  const describers = Array.from(document.querySelectorAll("[aria-describedby]"));
  for (const message of document.querySelectorAll(".invalid-feedback")) {
    if (!shown(message)) continue;
    const text = message.textContent.trim().replace(/\\s+/g, " ").slice(0, 60);
    const owners = describers.filter(
      (el) => message.id && idsOf(el, "aria-describedby").includes(message.id));
    if (!owners.length) {
      problems.push(`error "${text}" is named by no field's aria-describedby`);
      continue;
    }
    for (const owner of owners) {
      const controls = owner.matches("input, select, textarea") ? [owner]
        : Array.from(owner.querySelectorAll("input:not([type=hidden]), select, textarea"));
      for (const control of controls) {
        if (control.getAttribute("aria-invalid") !== "true") {
          problems.push(`${describe(control)} has the error "${text}" but not aria-invalid="true"`);
        }
      }
    }
  }
  const invalid = "input.is-invalid, select.is-invalid, textarea.is-invalid, [aria-invalid=true]";
  for (const el of document.querySelectorAll(invalid)) {
    if (el.getAttribute("aria-invalid") !== "true") {
      problems.push(`${describe(el)} is shown as invalid but not aria-invalid="true"`);
      continue;
    }
    const ids = idsOf(el, "aria-describedby")
      .concat(idsOf(el.closest("fieldset"), "aria-describedby"));
    const messages = ids.map((id) => document.getElementById(id))
      .filter((target) => target && shown(target) && target.textContent.trim());
    if (!messages.length) problems.push(`${describe(el)} is invalid and names no visible message`);
  }
  return problems;
}"""

# Starts the keyboard's journey from the top of the page, as after loading it.
FOCUS_TOP = """() => {
  document.activeElement && document.activeElement.blur();
  document.body.setAttribute("tabindex", "-1");
  document.body.focus();
  document.body.removeAttribute("tabindex");
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const main = document.querySelector("main");
  return {
    href: el.getAttribute("href"),
    text: el.textContent.trim(),
    visible: box.width > 1 && box.height > 1 && box.bottom > 0 && box.top < innerHeight,
    inMain: !!main && (el === main || main.contains(el)),
  };
}"""

# After a key press made the focus visible, moving it by script keeps it visible (the
# :focus-visible heuristics of browsers): every focusable element is looked at in turn.
FOCUS_OUTLINES = """() => {
  const problems = [];
  const describe = (el) =>
    el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : "") +
    (el.id || el.getAttribute("name") ? "" : ` "${el.textContent.trim().slice(0, 30)}"`);
  const candidates = Array.from(document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"
  )).filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden");
  // Large pages (the board has hundreds of cards): a spread sample, every kind included.
  const step = Math.max(1, Math.ceil(candidates.length / 80));
  const kinds = new Set();
  const sample = candidates.filter((el, i) => {
    const kind = el.tagName + (el.className || "");
    const first = !kinds.has(kind);
    kinds.add(kind);
    return first || i % step === 0;
  });
  let checked = 0;
  for (const el of sample) {
    el.focus();
    if (document.activeElement !== el || !el.matches(":focus-visible")) continue;
    checked++;
    // A visually hidden radio or checkbox shows its focus on its label (.btn-check).
    const shown = el.matches(".btn-check") && el.labels.length ? el.labels[0] : el;
    const style = getComputedStyle(shown);
    if (style.outlineStyle === "none" || parseFloat(style.outlineWidth) < 2) {
      problems.push(`no visible focus outline on ${describe(el)}`);
    }
  }
  if (sample.length && !checked) problems.push("the focus never became visible");
  return problems;
}"""


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations of WCAG 2.1 A and AA, one line each: rule, help, targets."""
    results = Axe().run(page, options=AXE_OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = ", ".join(targets[:5]) + (
            f" (and {len(targets) - 5} more)" if len(targets) > 5 else ""
        )
        lines.append(f"axe {violation['id']}: {violation['help']} — {shown}")
    return lines


def keyboard_problems(page: Page) -> list[str]:
    """The first Tab reaches a visible skip link whose Enter moves the focus into <main>; every
    focusable element shows an outline when focused from the keyboard."""
    problems = []
    page.evaluate(FOCUS_TOP)
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    if first["href"] != "#main":
        problems.append(f"the first Tab reaches {first['text'][:40]!r}, not a skip link")
    else:
        if not first["visible"]:
            problems.append("the skip link stays invisible when focused")
        page.keyboard.press("Enter")
        if not page.evaluate(FOCUSED)["inMain"]:
            problems.append("the skip link does not move the focus to the main content")
    page.keyboard.press("Tab")
    return problems + page.evaluate(FOCUS_OUTLINES)


def check_page(page: Page, stop: Stop, language: str) -> list[str]:
    problems = axe_violations(page) + page.evaluate(PAGE_STRUCTURE)
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:  # WCAG 3.1.1: screen readers pick their voice from it
        problems.append(f"<html lang={lang!r}>, in a page asked for in {language!r}")
    if stop.shows_errors and not page.locator("[aria-invalid=true]").count():
        problems.append("no field is marked invalid: the errors did not show")
    return problems + keyboard_problems(page)


def walk(
    page: Page, base_url: str, stops: list[Stop], ids: dict, language: str, who: str
) -> list[str]:
    """Open each page in turn and check it; every problem comes back as one line."""
    problems = []
    for stop in stops:
        path = stop.path.format(**ids)
        where = f"[{language}, {who}] {stop.name} ({path})"
        response = page.goto(base_url + path)
        status = response.status if response else None
        if status != stop.status:
            problems.append(f"{where}: answered {status}, expected {stop.status}")
            continue
        if stop.then:
            stop.then(page)
        problems += [f"{where}: {problem}" for problem in check_page(page, stop, language)]
    return problems


def visits(language: str) -> dict[str, list[Stop]]:
    """The pages each role walks in `language`.

    Every page is checked in every language, and by every role that sees it, but not in every
    combination (that would take ten minutes): the roles take turns over the languages, shifted
    from page to page, so that each role also meets each language on most pages.
    """
    plan: dict[str, list[Stop]] = {role: [] for role in ROLES}
    for i, stop in enumerate(STOPS):
        roles = [role for role in ROLES if role in stop.roles]
        for k in range(max(len(roles), len(LANGUAGES))):
            if LANGUAGES[(i + k) % len(LANGUAGES)] == language:
                role = roles[k % len(roles)]
                if stop not in plan[role]:
                    plan[role].append(stop)
    return plan


def test_every_page_and_role_is_visited_in_every_language() -> None:
    """The plan of the walk leaves no page, role or language out."""
    plans = {language: visits(language) for language in LANGUAGES}
    for stop in STOPS:
        seen_by = {r for plan in plans.values() for r, stops in plan.items() if stop in stops}
        seen_in = {lang for lang, plan in plans.items() if any(stop in s for s in plan.values())}
        assert seen_by == stop.roles, stop.name
        assert seen_in == set(LANGUAGES), stop.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_meets_wcag_21_aa(
    app: Flask,
    live_server,
    demo_site: DemoSite,
    new_context: Callable[..., BrowserContext],
    language: str,
) -> None:
    problems = []
    page = new_context(locale=BROWSER_LOCALES[language]).new_page()  # Accept-Language chooses
    problems += walk(page, live_server.url, SIGNED_OUT, demo_site.ids, language, "signed out")
    page.context.close()

    # Signed in, the profile chooses: the browser asks for another language, which must lose.
    other = LANGUAGES[(LANGUAGES.index(language) + 1) % len(LANGUAGES)]
    for role, stops in visits(language).items():
        if not stops:
            continue
        email, password = demo_site.accounts[role]
        set_locale(app, email, language)
        page = new_context(locale=BROWSER_LOCALES[other]).new_page()
        sign_in(page, live_server.url, email, password)
        problems += walk(page, live_server.url, stops, demo_site.ids, language, role)
        page.context.close()

    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


# Reflow (WCAG 1.4.10): at 320 CSS px wide, and at 200 % zoom of a 1280x800 screen (640x400 CSS
# px), nothing makes the page scroll sideways; wide tables and the board scroll in their own box.

VIEWPORTS = {"320px": {"width": 320, "height": 640}, "zoom200": {"width": 640, "height": 400}}
REFLOW = {
    "manager": [
        "dashboard", "companies-filtered", "company", "company-edit", "contact-new-errors",
        "contact", "need", "solution", "followups", "events", "event", "event-participants",
        "pipeline-board", "pipeline-list", "pipeline-workload", "pipeline-coverage",
        "pipeline-funnel", "reports", "report-draft", "exports", "import-refused", "retention",
        "history", "account",
    ],
    "admin": ["admin-users", "admin-user-edit", "admin-instruments", "audit"],
}  # fmt: skip

# Elements that stick out on the right of the page, outside any box that scrolls by itself.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0 && !scrolls(el)) {
      const classes = (el.getAttribute("class") || "").split(/\\s+/).filter(Boolean);
      found.push([el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""), ...classes].join("."));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: width,
    culprits: found.slice(-4),
  };
}"""


def reflow_problems(page: Page, name: str) -> list[str]:
    problems = []
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        found = page.evaluate(OVERFLOWING)
        if found["scrollWidth"] > found["clientWidth"] + 1:
            problems.append(
                f"{name} at {label}: the page is {found['scrollWidth']} px wide in a "
                f"{found['clientWidth']} px window ({', '.join(found['culprits'])})"
            )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The top of the page (4,000 px at most): what a person looks at, and quick to write.
        height = min(page.evaluate("document.documentElement.scrollHeight"), 4000)
        page.screenshot(
            path=str(SCREENSHOTS / f"a11y-{label}-{name}.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": height},
        )
    return problems


def check_menu(page: Page, name: str) -> None:
    """On a narrow screen the menu is folded behind its button, which opens it from the
    keyboard; back on a wide screen it is a column again, without the button."""
    toggle = page.locator("[data-menu-toggle]")
    links = page.locator("nav[aria-label] a")
    for label, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        expect(toggle, f"{name} at {label}: a menu button").to_be_visible()
        expect(links.first, f"{name} at {label}: the menu folded").to_be_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle, f"{name} at {label}: the button says open").to_have_attribute(
            "aria-expanded", "true"
        )
        expect(links.last, f"{name} at {label}: the menu open").to_be_visible()
        page.keyboard.press("Enter")
        expect(links.first, f"{name} at {label}: the menu folded again").to_be_hidden()
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(toggle, f"{name} on a wide screen: no menu button").to_be_hidden()
    expect(links.first, f"{name} on a wide screen: the menu shown").to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_reflow_at_320_px_and_200_percent_zoom(
    app: Flask,
    live_server,
    demo_site: DemoSite,
    new_context: Callable[..., BrowserContext],
    language: str,
) -> None:
    stops = {stop.name: stop for stop in STOPS + SIGNED_OUT}
    problems = []
    page = new_context(locale=BROWSER_LOCALES[language]).new_page()
    page.goto(f"{live_server.url}/login")
    problems += reflow_problems(page, f"{language}-login")
    page.context.close()
    for role, names in REFLOW.items():
        email, password = demo_site.accounts[role]
        set_locale(app, email, language)
        page = new_context(locale=BROWSER_LOCALES[language]).new_page()
        sign_in(page, live_server.url, email, password)
        check_menu(page, f"{language}-{role}-dashboard")
        for name in names:
            stop = stops[name]
            page.set_viewport_size(VIEWPORTS["320px"])
            page.goto(live_server.url + stop.path.format(**demo_site.ids))
            if stop.then:
                stop.then(page)
            problems += reflow_problems(page, f"{language}-{name}")
        page.context.close()
    assert not problems, "Pages that scroll sideways:\n" + "\n".join(problems)
