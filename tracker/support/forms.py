"""Forms of the need and solution pages, and the amount field they share with other pages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import Select

from tracker.common.versions import VersionField
from tracker.i18n import format_number
from tracker.models import NeedStatus, SolutionStatus, Urgency

AMOUNT_HELP = _l("In EUR, e.g. 120000, 120 000 or 120,000.50.")
AMOUNT_ERROR = _l("Enter an amount in euros, like 120000, 120 000 or 120,000.50.")
CHOOSE_STAFF = _l("Choose an active advisor, manager or admin from the list.")
# Spaces of every kind and apostrophes group thousands ("120 000", "120'000").
_GROUPING = re.compile(r"[\s\u00a0\u202f']")
_GROUPED = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def parse_amount(text: str) -> Decimal:
    """An amount in EUR written the English or the continental way; ValueError when unreadable.

    A separator followed by exactly three digits groups thousands (EUR has two decimals), so
    "120,000" and "120.000" are both 120000; the last separator followed by one or two digits is
    the decimal point, so "120,000.50" and "120.000,50" are both 120000.50.
    """
    text = _GROUPING.sub("", text.strip())
    text = re.sub(r"^(?:EUR|€)|(?:EUR|€)$", "", text, flags=re.IGNORECASE)
    if text.startswith("-"):
        raise ValueError(str(_l("An amount cannot be negative.")))
    whole, cents = text, ""
    match = re.fullmatch(r"(.*\d)([.,])(\d{1,2})", text)
    if match:
        whole, point, cents = match.groups()
        if point in whole:
            raise ValueError(str(AMOUNT_ERROR))  # "12.345.67": the point cannot also group
    if not re.fullmatch(r"\d+", whole) and not _GROUPED.match(whole):
        raise ValueError(str(AMOUNT_ERROR))
    if _GROUPED.match(whole) and len(set(re.sub(r"\d", "", whole))) > 1:
        raise ValueError(str(AMOUNT_ERROR))  # "1,000.000" mixes the grouping marks
    digits = re.sub(r"\D", "", whole)
    try:
        return Decimal(f"{digits}.{cents or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise ValueError(str(AMOUNT_ERROR)) from error


class AmountField(StringField):
    """A EUR amount typed as text; its data is a Decimal, or None when left empty."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist and valuelist[0].strip():
            self.data = parse_amount(valuelist[0])

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        # In the page's language (`120 000,00` in French): parse_amount reads it back.
        return format_number(self.data, 2)


class PageForm(FlaskForm):
    """The base of these pages' forms: attributes given as None are left out of the HTML.

    The shared `field` macro passes `autofocus=None` and `aria-describedby=None`, which WTForms
    writes out as `autofocus="None"`: every field would take the focus and point at a missing id.
    """

    class Meta:
        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Any:
            kept = {key: value for key, value in render_kw.items() if value is not None}
            return super().render_field(field, kept)  # type: ignore[misc]


def optional_int(value: object) -> int | None:
    """Coerce a select's value to an id; the empty choice means None."""
    if value is None or value == "":
        return None
    return int(value)  # type: ignore[call-overload]


def options_html(choices: Iterable[tuple[Any, Any]], selected: Any = None) -> Markup:
    """<option>s of (value, label) pairs, the one of value `selected` marked, as WTForms writes
    them. The staff selects list hundreds of people, the same on every page: each option's
    HTML is kept for the list it belongs to (labels as text, in the page's language), and only
    the selected one is written anew."""
    pairs = tuple((value, str(label)) for value, label in choices)
    written = _options(pairs)
    for index, (value, label) in enumerate(pairs):
        if value == selected:
            written = (
                *written[:index],
                _option(value, label, selected=True),
                *written[index + 1 :],
            )
            break
    return Markup("".join(written))  # noqa: S704 (every value and label escaped in _option)


@lru_cache(maxsize=256)
def _options(pairs: tuple[tuple[Any, str], ...]) -> tuple[str, ...]:
    return tuple(_option(value, label) for value, label in pairs)


def _option(value: Any, label: str, selected: bool = False) -> str:
    """One <option>, its value and label escaped."""
    marked = " selected" if selected else ""
    return f'<option{marked} value="{_attribute(value)}">{escape(label)}</option>'


def _attribute(value: Any) -> str:
    """An option's value, escaped; an id as it is (digits need no escaping)."""
    return str(value) if type(value) is int else escape(value)


class QuickSelect(Select):
    """WTForms' select, its plain options written directly (the same HTML): a select of the
    agency's staff lists hundreds of people, and building each option's attributes one by one
    made it the slowest part of the contact form."""

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        label = choice.label or choice.value
        return options_html([(choice.value, label)], choice.value if choice.selected else None)


def staff_select(label: str, **kwargs: Any) -> SelectField:
    """A select of users, refusing ids that are not on the list with a clear message."""
    return SelectField(
        label,
        widget=QuickSelect(),
        coerce=optional_int,
        invalid_value_message=CHOOSE_STAFF,
        invalid_choice_message=CHOOSE_STAFF,
        **kwargs,
    )


class NeedProgressForm(PageForm):
    """Move a need between open and in progress."""

    status = SelectField(
        _l("Move the need to"),
        choices=[
            SelectChoice(NeedStatus.OPEN.value, _l("Open")),
            SelectChoice(NeedStatus.IN_PROGRESS.value, _l("In progress")),
        ],
    )
    version = VersionField()
    submit = SubmitField(_l("Set status"))

    def new_status(self) -> NeedStatus:
        return NeedStatus(self.status.data)


class NeedResolveForm(PageForm):
    on = DateField(_l("Resolved on"), validators=[Optional()])
    outcome = TextAreaField(
        _l("Outcome"),
        validators=[DataRequired(_l("Say how the need was resolved.")), Length(max=4000)],
        description=_l("What the company obtained or what changed."),
    )
    version = VersionField()
    submit = SubmitField(_l("Resolve the need"))

    def new_status(self) -> NeedStatus:
        return NeedStatus.RESOLVED


class NeedCloseForm(PageForm):
    on = DateField(_l("Closed on"), validators=[Optional()])
    outcome = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Say why the need is closed without a solution.")),
            Length(max=4000),
        ],
    )
    version = VersionField()
    submit = SubmitField(_l("Close as unresolved"))

    def new_status(self) -> NeedStatus:
        return NeedStatus.CLOSED_UNRESOLVED


# The three ways to change a need's status, by the prefix their fields carry on the page.
NEED_STATUS_FORMS: dict[str, type[NeedProgressForm | NeedResolveForm | NeedCloseForm]] = {
    "progress": NeedProgressForm,
    "resolve": NeedResolveForm,
    "close": NeedCloseForm,
}


class NeedForm(PageForm):
    """What the need is about, how urgent, who owns it."""

    description = TextAreaField(_l("Description"), validators=[Length(max=4000)])
    urgency = SelectField(_l("Urgency"), choices=Urgency.choices())
    owner = staff_select(_l("Owner"))
    version = VersionField()
    submit = SubmitField(_l("Save the need"))


class SuggestSolutionForm(PageForm):
    instrument = SelectField(
        _l("Instrument"),
        coerce=optional_int,
        invalid_choice_message=_l("Choose an instrument from the list."),
        invalid_value_message=_l("Choose an instrument from the list."),
    )
    partner = StringField(
        _l("Or a referral to a partner"),
        validators=[Length(max=160)],
        description=_l("A partner cluster, another team or a bank, e.g. Materalia."),
    )
    amount_requested = AmountField(_l("Amount requested"), description=AMOUNT_HELP)
    suggested_on = DateField(_l("Suggested on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=4000)])
    submit = SubmitField(_l("Suggest the solution"))


class SolutionStatusForm(PageForm):
    status = SelectField(_l("New status"), choices=SolutionStatus.choices())
    on = DateField(
        _l("Date"),
        validators=[Optional()],
        description=_l("When it happened; today when left empty."),
    )
    amount_requested = AmountField(_l("Amount requested"), description=AMOUNT_HELP)
    amount_granted = AmountField(
        _l("Amount granted"), description=_l("Only for a granted solution. In EUR.")
    )
    version = VersionField()
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Record the change"))
