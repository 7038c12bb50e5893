"""Normalisation of company and contact fields, shared by the forms and the spreadsheet import.

Each function takes what a person typed (or what a spreadsheet cell holds), returns the value in
the form the database keeps, or None for an empty value, and raises ValueError with a message
meant for the person when the value cannot be right.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from stdnum import numdb
from stdnum.eu import nace, vat
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.lu import tva

from tracker.i18n import DEFAULT_LOCALE, current_language

NACE_REVISION = "2.0"

# The countries a company's address may be in, LU first; Greater Region neighbours next.
COUNTRIES = ("LU", "BE", "DE", "FR", "NL", "AT", "CH", "ES", "GB", "IT", "PL", "US")

_SEPARATORS = re.compile(r"[\s.\-/]+")
_RCS = re.compile(r"^B?(\d{1,7})$")
_POSTAL_FORMATS: dict[str, tuple[re.Pattern[str], Any]] = {
    # country: (pattern on the upper-cased value, message in the page's language)
    "LU": (re.compile(r"^(?:L\s*-?\s*)?(\d{4})$"), _l("A Luxembourg postal code is like L-4362.")),
    "FR": (
        re.compile(r"^(?:F\s*-?\s*)?(\d{5})$"),
        _l("A French postal code has 5 digits, like 57000."),
    ),
    "DE": (
        re.compile(r"^(?:D\s*-?\s*)?(\d{5})$"),
        _l("A German postal code has 5 digits, like 66111."),
    ),
    "BE": (
        re.compile(r"^(?:B\s*-?\s*)?(\d{4})$"),
        _l("A Belgian postal code has 4 digits, like 6700."),
    ),
    "NL": (re.compile(r"^(\d{4})\s*([A-Z]{2})$"), _l("A Dutch postal code is like 1012 AB.")),
}
LU_VAT_FORMAT = _l("A Luxembourg VAT number is LU followed by 8 digits, like LU12345678.")
WEB_SCHEME = _l("Enter a web address starting with http:// or https://.")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:(?!\d)", re.I)

# Legal forms left out when names are compared: "Moselle Castings S.à r.l." is "moselle castings".
LEGAL_FORMS = frozenset(
    {
        "sa",
        "sarl",
        "sarls",
        "sarl s",
        "sas",
        "sasu",
        "se",
        "sca",
        "scs",
        "scsp",
        "sc",
        "secs",
        "snc",
        "scrl",
        "sprl",
        "srl",
        "asbl",
        "sa rl",
        "sa rl s",
        "s a",
        "s a r l",
        "s a rl",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "gmbh co kg",
        "co kg",
        "bv",
        "nv",
        "bvba",
        "cv",
        "ltd",
        "llc",
        "plc",
        "inc",
        "societe anonyme",
        "societe a responsabilite limitee",
    }
)
_LONGEST_FORM = max(len(form.split()) for form in LEGAL_FORMS)


def _blank(value: str | None) -> bool:
    return value is None or not str(value).strip()


def normalise_rcs(value: str | None) -> str | None:
    """`b 123 456`, `123456` or `B123456` → `B123456` (Luxembourg trade register)."""
    if _blank(value):
        return None
    match = _RCS.match(_SEPARATORS.sub("", str(value)).upper())
    if not match:
        raise ValueError(_("An RCS number is B followed by digits, like B123456."))
    return f"B{match.group(1)}"


def normalise_vat(value: str | None) -> str | None:
    """`LU 1502 7442` or `15027442` → `LU15027442`, check digits verified.

    A number with another EU country prefix (a Greater Region company) is checked with that
    country's rules and kept as `FR40303265045`.
    """
    if _blank(value):
        return None
    compact = _SEPARATORS.sub("", str(value)).upper()
    if compact[:2].lower() in vat.MEMBER_STATES and compact[:2] != "LU":
        try:
            return vat.compact(vat.validate(compact))
        except StdnumError:
            raise ValueError(
                _(
                    "%(number)s is not a valid %(country)s VAT number; check it for a typo.",
                    number=compact,
                    country=compact[:2],
                )
            ) from None
    digits = compact.removeprefix("LU")
    if not re.fullmatch(r"\d{8}", digits):
        raise ValueError(LU_VAT_FORMAT)
    try:
        return "LU" + tva.validate(digits)
    except InvalidChecksum:
        raise ValueError(
            _(
                "%(number)s does not pass the VAT check digits; check it for a typo.",
                number=f"LU{digits}",
            )
        ) from None
    except StdnumError:
        raise ValueError(LU_VAT_FORMAT) from None


def normalise_nace(value: str | None) -> str | None:
    """`2562` or `25.62` → `25.62`, checked against NACE Rev. 2; divisions and groups allowed."""
    if _blank(value):
        return None
    digits = re.sub(r"[\s.]", "", str(value))
    if not re.fullmatch(r"\d{2,4}", digits):
        raise ValueError(_("A NACE code is 2 to 4 digits, like 25.62 (or 2562)."))
    try:
        nace.validate(digits, revision=NACE_REVISION)
    except StdnumError:
        raise ValueError(
            _(
                "%(code)s is not a code of the NACE Rev. 2 classification.",
                code=nace.format(digits),
            )
        ) from None
    return nace.format(digits)


def nace_label(code: str | None) -> str | None:
    """The activity a NACE Rev. 2 code stands for, or None when the code is unknown."""
    if not code:
        return None
    try:
        return nace.get_label(code, revision=NACE_REVISION)
    except StdnumError:
        return None


@cache
def nace_divisions() -> tuple[tuple[str, str], ...]:
    """(two-digit division, label) of every NACE Rev. 2 division, in code order."""
    database = numdb.get("eu/nace" + NACE_REVISION.replace(".", ""))
    divisions = []
    for number in range(1, 100):
        code = f"{number:02d}"
        info = dict(database.info(code)[0][1])
        if info.get("label"):
            divisions.append((code, info["label"]))
    return tuple(divisions)


def normalise_postal_code(value: str | None, country: str | None = "LU") -> str | None:
    """`4362` or `l-4362` → `L-4362` in Luxembourg; 5 digits in FR and DE, 4 in BE."""
    if _blank(value):
        return None
    text = " ".join(str(value).split()).upper()
    country = (country or "LU").upper()
    if country not in _POSTAL_FORMATS:
        if len(text) > 16:
            raise ValueError(_("A postal code has at most 16 characters."))
        return text
    pattern, message = _POSTAL_FORMATS[country]
    match = pattern.match(text)
    if not match:
        raise ValueError(str(message))
    if country == "LU":
        return f"L-{match.group(1)}"
    if country == "NL":
        return f"{match.group(1)} {match.group(2)}"
    return match.group(1)


def normalise_website(value: str | None) -> str | None:
    """`www.example.lu` → `https://www.example.lu`; only http and https addresses."""
    if _blank(value):
        return None
    text = str(value).strip()
    if "://" not in text:
        if _OTHER_SCHEME.match(text):
            raise ValueError(WEB_SCHEME)
        text = "https://" + text
    message = _("Enter a web address like https://www.example.lu.")
    if len(text) > 300 or any(ch.isspace() for ch in text):
        raise ValueError(message)
    try:
        parts = urlsplit(text)
        hostname = parts.hostname or ""
        parts.port  # noqa: B018 -- raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError(message) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(WEB_SCHEME)
    if not _HOSTNAME.match(hostname) or parts.username or parts.password:
        raise ValueError(message)
    return text


def normalise_email(value: str | None) -> str | None:
    """A contact's e-mail address, syntax checked (no DNS look-up); the domain lower-cased."""
    if _blank(value):
        return None
    try:
        return validate_email(str(value).strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        # email_validator says precisely what is wrong, but only in English: other languages get
        # a sentence of their own, with its words as the detail.
        reason = str(error)
        if current_language() == DEFAULT_LOCALE:
            raise ValueError(reason) from None
        raise ValueError(
            _("This is not a valid e-mail address (%(reason)s).", reason=reason)
        ) from None


def normalise_phone(value: str | None, region: str = "LU") -> str | None:
    """`26 12 34 56` → `+352 26 12 34 56`: international format, numbers without a prefix in LU."""
    if _blank(value):
        return None
    message = _(
        "Enter a phone number like +352 26 12 34 56 (the country code may be left out in LU)."
    )
    try:
        number = phonenumbers.parse(str(value), region)
    except phonenumbers.NumberParseException:
        raise ValueError(message) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def fold(text: str) -> str:
    """Lower-case, without accents: `Société Générale` → `societe generale`."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(name: str | None) -> str:
    """A company name for comparison: folded, punctuation and legal forms left out.

    `Moselle Précision S.à r.l.` and `MOSELLE PRECISION SARL` both give `moselle precision`.
    """
    if not name:
        return ""
    text = fold(name).replace("&", " ")
    # Dots join abbreviations ("s.a.r.l." → "sarl"); other punctuation separates words.
    text = text.replace(".", "")
    words = re.sub(r"[^\w]+", " ", text).split()
    changed = True
    while changed and words:
        changed = False
        for size in range(min(_LONGEST_FORM, len(words) - 1), 0, -1):
            if " ".join(words[-size:]) in LEGAL_FORMS:
                words = words[:-size]
                changed = True
                break
    return " ".join(words)
