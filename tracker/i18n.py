"""The languages of the app, the choice of a request's language, and formatting by locale.

Pages, messages and exports exist in English, French and German (the ministry reads French;
Luxembourgish is not asked for). Dates, numbers and amounts go through Babel with the current
locale, so that a French user reads `27 nov. 2026` and `1 234,50 €` where an English one reads
`27 Nov 2026` and `€1,234.50`.
"""

from __future__ import annotations

import copy
import os
import tempfile
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern
from flask import Flask, has_request_context, request
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user

from tracker import dates
from tracker.dates import AGENCY_TZ

DEFAULT_LOCALE = "en"
# Every language the app speaks, in the order the language menu lists them. Each is named in
# itself ("Français", not "French"), so that someone who cannot read the current page finds theirs.
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "de": "Deutsch"}
SUPPORTED_LOCALES: tuple[str, ...] = tuple(LANGUAGES)

# CLDR's "medium" dates are what each language reads, except in English, where CLDR's default
# (en_US) writes "Nov 27, 2026": DESIGN.md 7 wants the day first, as in Luxembourg.
DAY_PATTERNS = {"en": "d MMM y", "fr": "d MMM y", "de": "dd.MM.y"}
SHORT_DAY_PATTERNS = {"en": "dd/MM/y", "fr": "dd/MM/y", "de": "dd.MM.y"}
TIME_PATTERN = "HH:mm"  # 24-hour clock in every language: "14:05"
CURRENCY = "EUR"
# The catalogues: messages.pot (extracted), <lang>/LC_MESSAGES/messages.po (the translators'),
# and the compiled .mo files, which are built (`make translations`), not committed.
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
COMPILE_COMMAND = "pybabel compile -d tracker/translations"

Number = int | float | Decimal
_DEFAULT = Locale.parse(DEFAULT_LOCALE)


def select_locale() -> str:
    """The signed-in user's language, else the browser's best supported one, else English.

    Outside a request (flask commands) it is English: command-line output is for admins.
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    user_locale = getattr(current_user, "locale", None)
    if user_locale in LANGUAGES:
        return user_locale
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE


def current_locale() -> Locale:
    """The locale of the current request (English outside an app context)."""
    return get_locale() or _DEFAULT


def current_language() -> str:
    """The language code of the current page (`en`, `fr`, `de`), for `<html lang>`."""
    return current_locale().language


def _pattern(patterns: dict[str, str]) -> str:
    return patterns.get(current_language(), patterns[DEFAULT_LOCALE])


def _agency_day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return _agency_moment(value).astimezone(AGENCY_TZ).date()
    return value


def _agency_moment(value: datetime) -> datetime:
    # A naive value (SQLite gives them back) is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def format_day(value: date | datetime | None) -> str:
    """`27 Nov 2026`, `27 nov. 2026`, `27.11.2026`; an empty string for no date."""
    if value is None:
        return ""
    return babel_dates.format_date(
        _agency_day(value), _pattern(DAY_PATTERNS), locale=current_locale()
    )


def format_short_day(value: date | datetime | None) -> str:
    """`27/11/2026` (English, French), `27.11.2026` (German); empty for no date."""
    if value is None:
        return ""
    return babel_dates.format_date(
        _agency_day(value), _pattern(SHORT_DAY_PATTERNS), locale=current_locale()
    )


def format_clock(value: datetime | time | None) -> str:
    """`14:05` in Luxembourg time; empty for no time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _agency_moment(value).astimezone(AGENCY_TZ).time()
    return babel_dates.format_time(value, TIME_PATTERN, locale=current_locale())


def format_moment(value: datetime | None) -> str:
    """`27 Nov 2026, 14:05` in Luxembourg time, glued as the language glues a date and a time."""
    if value is None:
        return ""
    glue = current_locale().datetime_formats["medium"]
    return str(glue).format(format_clock(value), format_day(value))


def format_number(value: Number | None, digits: int | None = None) -> str:
    """`1,234.5` / `1 234,5` / `1.234,5`; `digits` fixes the decimals; empty for None."""
    if value is None:
        return ""
    pattern = None if digits is None else "#,##0" + (f".{'0' * digits}" if digits else "")
    return babel_numbers.format_decimal(value, pattern, locale=current_locale())


def format_money(value: Number | None) -> str:
    """`€1,234.50` / `1 234,50 €` / `1.234,50 €`; empty for no amount."""
    if value is None:
        return ""
    return babel_numbers.format_currency(value, CURRENCY, locale=current_locale())


def format_percent(value: Number | None, digits: int = 1) -> str:
    """A value already in percent (`12.5`) as `12.5%` / `12,5 %`; empty for None."""
    if value is None:
        return ""
    locale = current_locale()
    # The locale's own pattern (its sign and spacing), with the decimals asked for.
    pattern: NumberPattern = copy.copy(locale.percent_formats[None])
    pattern.frac_prec = (digits, digits)
    return pattern.apply(Decimal(str(value)) / 100, locale)


def relative_day(value: date | None) -> str:
    """`today`, `tomorrow`, `in 3 days`, `3 days overdue`, in the current language."""
    if value is None:
        return ""
    delta = (value - dates.today()).days
    if delta == 0:
        return gettext("today")
    if delta == 1:
        return gettext("tomorrow")
    if delta < 0:
        return ngettext("%(num)d day overdue", "%(num)d days overdue", -delta)
    return ngettext("in %(num)d day", "in %(num)d days", delta)


def stale_catalogues(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """The .po files whose compiled .mo is missing or older than them."""
    stale = []
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_catalogue(po: Path) -> Path:
    """Compile `po` to the .mo beside it, as `pybabel compile` does (fuzzy entries left out).

    The file is written under a temporary name and renamed: several test runs may share the tree.
    """
    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parent.parent.name)
    mo = po.with_suffix(".mo")
    handle, temporary = tempfile.mkstemp(dir=po.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalog)
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return mo


def check_catalogues(app: Flask) -> None:
    """Warn at start-up when a catalogue is not compiled: its pages would silently be English."""
    stale = stale_catalogues()
    if stale:
        languages = ", ".join(po.parent.parent.name for po in stale)
        app.logger.warning(
            "The translations of %s are not compiled or are out of date; run `%s`.",
            languages,
            COMPILE_COMMAND,
        )
