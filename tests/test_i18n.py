"""Languages: every visible string is marked and translated, each page speaks the user's language,
and dates, numbers and money read as they do in that language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, ngettext
from jinja2 import Environment

from tests import factories, walk
from tracker import dates
from tracker.extensions import db
from tracker.i18n import (
    LANGUAGES,
    SUPPORTED_LOCALES,
    TRANSLATIONS_DIR,
    format_clock,
    format_day,
    format_moment,
    format_money,
    format_number,
    format_percent,
    format_short_day,
    relative_day,
)
from tracker.models import RiskLevel, User
from tracker.reports import services as report_services

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TRANSLATED = [code for code in SUPPORTED_LOCALES if code != "en"]
# The keywords of `make messages` (Makefile): the catalogues hold what they mark, nothing else.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# Words that are the same in every language: names of file formats and of a digest.
SAME_IN_EVERY_LANGUAGE = {"CSV", "Excel", "JSON", "PDF", "SHA-256", "XLSX"}
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Text in <code> is what people type or read in a file (column names, values): never translated.
_CODE = re.compile(r"<code\b[^>]*>.*?</code>", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|\w+);", re.I)
_LETTER = re.compile(r"[^\W\d_]")
_VISIBLE_ATTRIBUTE = re.compile(
    r"""\s(placeholder|title|aria-label|aria-description|aria-roledescription|alt|data-[\w-]*label)"""
    r"""\s*=\s*(["'])(.*?)\2""",
    re.S | re.I,
)
_BUTTON = re.compile(r"<(?:input|button)\b[^>]*>", re.S | re.I)


def _template_data(source: str) -> str:
    """The template's literal text and markup, without what Jinja writes (`{{ }}`, `{% %}`)."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    return "".join(value for _line, kind, value in env.lex(source) if kind == "data")


def _unmarked_text(data: str) -> list[str]:
    text = _ENTITY.sub(" ", _TAG.sub(" ", _CODE.sub(" ", _COMMENT.sub(" ", data))))
    words = [
        word
        for word in text.split()
        if _LETTER.search(word)
        and word.strip(".,;:()·") not in SAME_IN_EVERY_LANGUAGE
        and not any(ch.isdigit() for ch in word)  # codes such as B123456 or L-4362
    ]
    return [" ".join(words)] if words else []


def _unmarked_attributes(data: str) -> list[str]:
    found = [
        match.group(0).strip()
        for match in _VISIBLE_ATTRIBUTE.finditer(data)
        if _LETTER.search(match.group(3))
    ]
    for tag in _BUTTON.findall(data):
        value = re.search(r"""\svalue\s*=\s*(["'])(.*?)\1""", tag, re.S)
        is_button = re.search(r"""type\s*=\s*["']?(submit|button|reset)""", tag, re.I)
        if is_button and value and _LETTER.search(value.group(2)):
            found.append(tag)
    return found


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_every_visible_text_of_a_template_is_marked_for_translation(template):
    data = _template_data(template.read_text())
    unmarked = _unmarked_text(data) + _unmarked_attributes(data)
    assert not unmarked, f"{template.relative_to(ROOT)}: text not in _(): {unmarked}"


def test_the_template_check_finds_unmarked_text_and_attributes():
    data = _template_data(
        '<h1>{{ _("Companies") }}</h1><p>Nothing yet <code>rcs_number</code></p>{# a note #}'
        '<input type="submit" value="Save"><a title="{{ _(\'Help\') }}" aria-label="Close">'
    )
    assert _unmarked_text(data) == ["Nothing yet"]
    assert _unmarked_attributes(data) == [
        'aria-label="Close"',
        '<input type="submit" value="Save">',
    ]
    assert _unmarked_text("<td>CSV · 12 <code>owner_email</code> (L-4362)</td>") == []


# The catalogues


def _extracted() -> Catalog:
    """What `make messages` extracts now, in memory."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="Cluster tracker")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return _extracted()


def _ids(catalog: Catalog) -> set[tuple[object, str | None]]:
    return {(message.id, message.context) for message in catalog if message.id}


def test_the_committed_template_has_every_marked_string(extracted):
    with (TRANSLATIONS_DIR / "messages.pot").open("rb") as pot:
        committed = read_po(pot)
    missing = sorted(str(i) for i in _ids(extracted) - _ids(committed))
    stale = sorted(str(i) for i in _ids(committed) - _ids(extracted))
    assert not missing and not stale, (
        f"messages.pot is out of date; run `make messages`.\nMissing: {missing[:20]}"
        f"\nNo longer used: {stale[:20]}"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated(extracted, language):
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        po = read_po(po_file, locale=language)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translation = po.get(message.id, context=message.context)
        strings = (
            translation.string if translation and isinstance(translation.string, tuple) else None
        )
        if translation is None:
            problems.append(f"missing: {message.id!r}")
        elif translation.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not translation.string or (strings is not None and not all(strings)):
            problems.append(f"not translated: {message.id!r}")
    for message, errors in po.check():
        problems.extend(f"{error}: {message.id!r}" for error in errors)
    assert not problems, (
        f"{language}: {len(problems)} problems (run `pybabel update`, then translate):\n"
        + "\n".join(problems[:40])
    )


# The language of a request


def _set_locale(app, user_id: int, locale: str | None) -> None:
    with app.app_context():
        db.session.get(User, user_id).locale = locale
        db.session.commit()


def _in(app, language: str, message: str) -> str:
    """`message` as the catalogue of `language` has it."""
    with app.test_request_context(), force_locale(language):
        return gettext(message)


def test_a_user_who_chose_french_gets_french_pages(app, client, login_as, users):
    _set_locale(app, users["advisor"].id, "fr")
    with app.app_context():
        company = factories.make_company()
        for days in (-3, 5):
            factories.make_followup(
                company, users["advisor"].id, due=dates.today() + timedelta(days)
            )
        db.session.commit()
    login_as("advisor")
    html = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="fr">' in html
    companies = _in(app, "fr", "Companies")
    assert companies != "Companies"
    assert f"{companies}\n" in html  # the navigation, in the user's language
    with app.test_request_context(), force_locale("fr"):
        overdue = ngettext("%(num)d day overdue", "%(num)d days overdue", 3)
        soon = dates.today() + timedelta(days=5)
        upcoming = f"{format_day(soon)} · {relative_day(soon)}"
    assert overdue in html and upcoming in html
    assert re.search(r"\d{1,2} [a-zéû]+\.? \d{4} · ", html)  # French dates: "2 déc. 2026"


def test_the_browser_language_is_used_when_the_user_chose_none(app, client, login_as, users):
    login_as("advisor")
    html = client.get("/", headers={"Accept-Language": "de-LU,de;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="de">' in html
    assert _in(app, "de", "Log a contact") in html


@pytest.mark.parametrize("accept", ["it-IT,it;q=0.9", "lb", "", "*"])
def test_a_language_the_app_does_not_speak_gives_english(client, login_as, accept):
    login_as("advisor")
    html = client.get("/", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log a contact" in html


def test_the_sign_in_page_follows_the_browser(app, client):
    html = client.get("/login", headers={"Accept-Language": "fr-FR,fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert _in(app, "fr", "Sign in") in html


def test_error_pages_speak_the_users_language(app, client, login_as, users):
    _set_locale(app, users["advisor"].id, "de")
    login_as("advisor")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert f"<title>{_in(app, 'de', 'Page not found')} · " in html
    assert _in(app, "de", "Back to the dashboard") in html


def test_wtforms_own_messages_are_translated(app, client, login_as, users):
    """Messages that WTForms writes itself come from its own catalogues, in the page's language."""
    _set_locale(app, users["manager"].id, "fr")
    login_as("manager")
    page = client.get("/account").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]*)"', page).group(1)
    response = client.post("/account", data={"name": "", "locale": "xx", "version": version})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ce champ est requis." in html  # DataRequired: "This field is required."
    assert "N&#39;est pas un choix valide." in html  # SelectField: "Not a valid choice."
    assert "This field is required." not in html


def test_enum_labels_and_navigation_are_translated(app):
    with app.test_request_context(), force_locale("fr"):
        assert RiskLevel.HIGH.label == gettext("High") != "High"
        assert [m.label for m in RiskLevel] != ["Low", "Medium", "High", "Critical"]
    with app.test_request_context():
        assert RiskLevel.HIGH.label == "High"  # English by default, as before


def test_the_calendar_feed_speaks_its_owners_language(app, client, users):
    _set_locale(app, users["advisor"].id, "de")
    with app.app_context():
        user = db.session.get(User, users["advisor"].id)
        user.calendar_token = "feed-token-de"
        db.session.commit()
    body = client.get("/calendar/feed-token-de.ics").get_data(as_text=True)
    with app.test_request_context(), force_locale("de"):
        title = gettext("Follow-ups — %(name)s", name="Advisor Tester")
    assert f"X-WR-CALNAME:{title}" in body


# Formatting by locale

DAY = date(2026, 11, 27)
# 13:05 UTC is 14:05 in Luxembourg in November.
MOMENT = datetime(2026, 11, 27, 13, 5, tzinfo=UTC)
NNBSP, NBSP = "\u202f", "\xa0"  # CLDR's French thousands separator, and the space before €


@pytest.mark.parametrize(
    ("language", "day", "short", "moment"),
    [
        ("en", "27 Nov 2026", "27/11/2026", "27 Nov 2026, 14:05"),
        ("fr", "27 nov. 2026", "27/11/2026", "27 nov. 2026, 14:05"),
        ("de", "27.11.2026", "27.11.2026", "27.11.2026, 14:05"),
    ],
)
def test_dates_and_times_by_locale(app, language, day, short, moment):
    with app.test_request_context(), force_locale(language):
        assert format_day(DAY) == day
        assert format_short_day(DAY) == short
        assert format_moment(MOMENT) == moment
        assert format_moment(MOMENT.replace(tzinfo=None)) == moment  # SQLite's naive UTC
        assert format_clock(MOMENT) == "14:05"
        assert format_day(None) == format_moment(None) == ""


@pytest.mark.parametrize(
    ("language", "number", "money", "percent"),
    [
        ("en", "1,234.5", "€1,234.50", "12.5%"),
        ("fr", f"1{NNBSP}234,5", f"1{NNBSP}234,50{NBSP}€", f"12,5{NBSP}%"),
        ("de", "1.234,5", f"1.234,50{NBSP}€", f"12,5{NBSP}%"),
    ],
)
def test_numbers_money_and_percentages_by_locale(app, language, number, money, percent):
    with app.test_request_context(), force_locale(language):
        assert format_number(Decimal("1234.5")) == number
        assert format_money(Decimal("1234.5")) == money
        assert format_percent(12.5) == percent
        assert format_number(None) == format_money(None) == format_percent(None) == ""


def test_fixed_decimals_and_rounding(app):
    with app.test_request_context(), force_locale("de"):
        assert format_number(Decimal("120000"), 2) == "120.000,00"
        assert format_number(Decimal("7.25"), 0) == "7"
        assert format_percent(100 / 3) == "33,3\xa0%"
        assert format_percent(0, 0) == "0\xa0%"


def test_formatting_outside_a_request_is_english(app):
    with app.app_context():
        assert format_day(DAY) == "27 Nov 2026"
        assert format_money(Decimal("1")) == "€1.00"
    assert format_number(1234) == "1,234"  # no app at all: a command's helper, a test


@pytest.mark.parametrize("language", SUPPORTED_LOCALES)
def test_relative_days_are_translated_with_plurals(app, language, monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: DAY)
    with app.test_request_context(), force_locale(language):
        seen = {relative_day(DAY + timedelta(days=offset)) for offset in (-3, -1, 0, 1, 2, 5)}
        assert len(seen) == 6  # six different phrases
        assert relative_day(DAY) == gettext("today")
        assert relative_day(DAY - timedelta(days=3)) == ngettext(
            "%(num)d day overdue", "%(num)d days overdue", 3
        )
        assert relative_day(DAY + timedelta(days=5)) == ngettext(
            "in %(num)d day", "in %(num)d days", 5
        )
        assert relative_day(None) == ""
    with app.test_request_context():
        assert relative_day(DAY - timedelta(days=1)) == "1 day overdue"
        assert relative_day(DAY + timedelta(days=3)) == "in 3 days"


def test_the_filters_are_what_templates_use(app):
    with app.test_request_context(), force_locale("fr"):
        render = app.jinja_env.from_string(
            "{{ d|day }}|{{ d|short_day }}|{{ n|number }}|{{ m|money }}|{{ p|percent }}"
        ).render
        assert render(d=DAY, n=1234.5, m=Decimal("2"), p=50) == (
            f"27 nov. 2026|27/11/2026|1{NNBSP}234,5|2,00{NBSP}€|50,0{NBSP}%"
        )


def test_every_language_is_named_in_itself():
    assert LANGUAGES == {"en": "English", "fr": "Français", "de": "Deutsch"}


# Every page, in every language


@pytest.fixture(scope="module")
def world(app, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.config, "IMPORT_UPLOAD_FOLDER", str(tmp_path_factory.mktemp("uploads")))
        # The language of pages is the question here; test_report_pdf.py renders real PDFs.
        patch.setattr(report_services, "render_pdf", lambda content: b"%PDF-1.7 i18n\n")
        yield walk.build_world(app)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_page_renders_in_every_language(app, world, language):
    """Each page an admin opens works in French and German (a translation with a placeholder
    the code does not give, or a format that fails in one locale, would be an error page)."""
    walk.restore(app, world)
    client = app.test_client()
    walk.sign_in(client, world, "admin")
    pages = 0
    for case in walk.all_cases(app, world):
        if case.method != "GET" or case.endpoint in ("static", "bootstrap.static"):
            continue
        response = client.get(case.url, headers={"Accept-Language": language})
        assert response.status_code < 500, case
        if response.status_code == 200 and response.mimetype == "text/html":
            assert f'<html lang="{language}">' in response.get_data(as_text=True), case
            pages += 1
    assert pages > 40
