"""The contact form: one interaction, its health check, needs with solutions, and a follow-up.

Needs and their solutions are nested `FieldList`s so that the form works without JavaScript:
blank rows are ignored, and the "add" buttons re-render the form with one more row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.validators import ValidationError as FieldError

from tracker.common.forms import MultiCheckboxField, TranslatedMeta
from tracker.common.versions import VersionField
from tracker.dates import today
from tracker.extensions import db
from tracker.interactions.services import FollowUpInput, HealthAnswers, NeedInput, SolutionInput
from tracker.models import (
    HealthCheck,
    Instrument,
    InstrumentKind,
    InteractionType,
    Liquidity,
    NeedCategory,
    RiskLevel,
    RiskReason,
    Trend,
    Urgency,
    User,
)
from tracker.support.forms import AmountField, optional_int, staff_select

MAX_NEEDS = 20
MAX_SOLUTIONS = 10

TYPE_CHOICES = [
    SelectChoice(InteractionType.CALL.value, _l("Call")),
    SelectChoice(InteractionType.VISIT.value, _l("Visit")),
    SelectChoice(InteractionType.MEETING.value, _l("Meeting")),
    SelectChoice(InteractionType.EMAIL.value, _l("E-mail")),
    SelectChoice(InteractionType.EVENT.value, _l("Event")),
]
UNKNOWN = SelectChoice("", _l("Unknown"))
TREND_CHOICES = [
    UNKNOWN,
    SelectChoice(Trend.UP.value, _l("Up")),
    SelectChoice(Trend.STABLE.value, _l("Stable")),
    SelectChoice(Trend.DOWN.value, _l("Down")),
]
YES_NO_CHOICES = [UNKNOWN, SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
LIQUIDITY_CHOICES = [
    UNKNOWN,
    SelectChoice(Liquidity.GOOD.value, _l("Good")),
    SelectChoice(Liquidity.ADEQUATE.value, _l("Adequate")),
    SelectChoice(Liquidity.TIGHT.value, _l("Tight")),
    SelectChoice(Liquidity.CRITICAL.value, _l("Critical")),
]
RISK_CHOICES = [
    UNKNOWN,
    SelectChoice(RiskLevel.LOW.value, _l("Low")),
    SelectChoice(RiskLevel.MEDIUM.value, _l("Medium")),
    SelectChoice(RiskLevel.HIGH.value, _l("High")),
    SelectChoice(RiskLevel.CRITICAL.value, _l("Critical")),
]
RISK_REASON_CHOICES = [
    SelectChoice(RiskReason.CLOSURE.value, _l("Closure")),
    SelectChoice(RiskReason.RELOCATION.value, _l("Relocation")),
    SelectChoice(RiskReason.DOWNSIZING.value, _l("Downsizing")),
    SelectChoice(RiskReason.KEY_CUSTOMER_LOSS.value, _l("Loss of key customer")),
]
URGENCY_CHOICES = [
    SelectChoice(Urgency.LOW.value, _l("Low")),
    SelectChoice(Urgency.NORMAL.value, _l("Normal")),
    SelectChoice(Urgency.HIGH.value, _l("High")),
]
CHOOSE_ANSWER = _l("Choose one of the answers offered.")
CHOOSE_CATEGORY = _l("Choose a need from the list.")
CHOOSE_INSTRUMENT = _l("Choose an instrument from the list.")


def not_in_future(form: Form, field: Field) -> None:
    if field.data is not None and field.data > today():
        raise FieldError(_l("The date of a contact cannot be in the future."))


def _answer(label: Any, choices: list[SelectChoice]) -> RadioField:
    return RadioField(
        label,
        choices=choices,
        default="",
        invalid_value_message=CHOOSE_ANSWER,
        invalid_choice_message=CHOOSE_ANSWER,
    )


def _typed(field: Field) -> bool:
    """Whether the user typed anything in `field`, readable or not."""
    return bool(field.raw_data and str(field.raw_data[0]).strip())


def _enum_or_none(enum_cls: type, value: str | None) -> Any:
    return enum_cls(value) if value else None


class HealthForm(Form):
    """The health check-in; every answer may stay unknown, and an all-unknown check is none."""

    Meta = TranslatedMeta

    turnover_trend = _answer(_l("Turnover"), TREND_CHOICES)
    orders_trend = _answer(_l("Order book"), TREND_CHOICES)
    employment_trend = _answer(_l("Employment"), TREND_CHOICES)
    outlook = _answer(_l("Outlook (turnover, next 3 months)"), TREND_CHOICES)
    short_time_work = _answer(_l("Short-time work (chômage partiel)"), YES_NO_CHOICES)
    liquidity = _answer(_l("Liquidity"), LIQUIDITY_CHOICES)
    risk_level = _answer(_l("Risk level"), RISK_CHOICES)
    risk_reasons = MultiCheckboxField(
        _l("Risk reasons"),
        choices=RISK_REASON_CHOICES,
        invalid_choice_message=CHOOSE_ANSWER,
    )
    comment = TextAreaField(
        _l("Comment on the company's health"),
        validators=[Length(max=4000)],
        render_kw={"rows": 2},
    )

    TRENDS = ("turnover_trend", "orders_trend", "employment_trend", "outlook")

    def answers(self) -> HealthAnswers:
        stw = self.short_time_work.data
        return HealthAnswers(
            turnover_trend=_enum_or_none(Trend, self.turnover_trend.data),
            orders_trend=_enum_or_none(Trend, self.orders_trend.data),
            employment_trend=_enum_or_none(Trend, self.employment_trend.data),
            outlook=_enum_or_none(Trend, self.outlook.data),
            short_time_work=None if not stw else stw == "yes",
            liquidity=_enum_or_none(Liquidity, self.liquidity.data),
            risk_level=_enum_or_none(RiskLevel, self.risk_level.data),
            risk_reasons=list(self.risk_reasons.data or []),
            comment=self.comment.data or "",
        )

    def load(self, check: HealthCheck | None) -> None:
        """Show a recorded check's answers (the edit page)."""
        if check is None:
            return
        for name in (*self.TRENDS, "liquidity", "risk_level"):
            value = getattr(check, name)
            self[name].data = value.value if value is not None else ""
        stw = check.short_time_work
        self.short_time_work.data = "" if stw is None else ("yes" if stw else "no")
        self.risk_reasons.data = list(check.risk_reasons or [])
        self.comment.data = check.comment

    @property
    def answered(self) -> bool:
        """Whether anything is answered, even a value the form will refuse."""
        return any(field.data for field in self if field.name != self.risk_reasons.name) or bool(
            self.risk_reasons.data
        )


class SolutionForm(Form):
    """A suggested solution: an instrument, a partner to refer to, or both."""

    Meta = TranslatedMeta

    instrument = SelectField(
        _l("Instrument"),
        coerce=optional_int,
        invalid_value_message=CHOOSE_INSTRUMENT,
        invalid_choice_message=CHOOSE_INSTRUMENT,
    )
    partner = StringField(
        _l("Or refer to a partner"),
        validators=[Length(max=160)],
        render_kw={"placeholder": _l("e.g. Materalia")},
    )
    amount_requested = AmountField(
        _l("Amount (EUR)"), render_kw={"inputmode": "decimal", "placeholder": _l("e.g. 120 000")}
    )

    def is_blank(self) -> bool:
        return (
            self.instrument.data is None
            and not (self.partner.data or "").strip()
            and not _typed(self.amount_requested)
            and not self.instrument.errors
        )


class NeedForm(Form):
    category = SelectField(
        _l("Category"),
        coerce=optional_int,
        invalid_value_message=CHOOSE_CATEGORY,
        invalid_choice_message=CHOOSE_CATEGORY,
    )
    urgency = SelectField(
        _l("Urgency"),
        choices=URGENCY_CHOICES,
        default=Urgency.NORMAL.value,
        invalid_value_message=CHOOSE_ANSWER,
        invalid_choice_message=CHOOSE_ANSWER,
    )
    description = TextAreaField(
        _l("What the company needs"), validators=[Length(max=4000)], render_kw={"rows": 2}
    )
    solutions = FieldList(
        FormField(SolutionForm), _l("Solution"), min_entries=1, max_entries=MAX_SOLUTIONS
    )

    def offer(self, choices: ContactChoices) -> None:
        self.category.choices = choices.category_choices
        for solution in self.solutions:
            solution.form.instrument.choices = choices.instrument_choices

    def is_blank(self) -> bool:
        return (
            self.category.data is None
            and not self.category.errors
            and not (self.description.data or "").strip()
            and all(s.form.is_blank() for s in self.solutions)
        )


class FollowUpForm(Form):
    """The next step; all empty means none."""

    title = StringField(_l("Next step"), validators=[Length(max=200)])
    due_on = DateField(
        _l("Due on"),
        validators=[Optional()],
        render_kw={"min": "2000-01-01", "max": "2100-12-31"},
    )
    assignee = staff_select(_l("Assigned to"))

    def is_blank(self) -> bool:
        return not (self.title.data or "").strip() and not _typed(self.due_on)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_blank():
            # No follow-up: whatever the assignee select says does not matter.
            self.assignee.errors = []
            return True
        has_title = bool((self.title.data or "").strip())
        has_date = self.due_on.data is not None
        if has_title and not has_date and not self.due_on.errors:
            self.due_on.errors.append(_l("Give the follow-up a due date."))
            valid = False
        if has_date and not has_title:
            self.title.errors.append(_l("Say what is to be done by then."))
            valid = False
        return valid


@dataclass
class ContactChoices:
    """What the form offers, loaded once per request: categories, instruments, assignees."""

    categories: Sequence[NeedCategory]
    instruments: Sequence[Instrument]
    staff: Sequence[Any]  # (id, name) rows

    def category(self, category_id: int) -> NeedCategory:
        return next(c for c in self.categories if c.id == category_id)

    def instrument(self, instrument_id: int | None) -> Instrument | None:
        return next((i for i in self.instruments if i.id == instrument_id), None)

    def user(self, user_id: int) -> User:
        """The staff member of the list (the form refused any other)."""
        return db.session.get_one(User, next(u.id for u in self.staff if u.id == user_id))

    @property
    def category_choices(self) -> list[SelectChoice]:
        return [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(str(c.id), c.name) for c in self.categories
        ]

    @property
    def instrument_choices(self) -> list[SelectChoice]:
        """The instruments grouped by kind, after a "none" choice for a referral alone."""
        choices = [SelectChoice("", _l("No instrument"))]
        for kind in InstrumentKind:
            choices += [
                SelectChoice(str(i.id), i.name, optgroup=kind.label)
                for i in self.instruments
                if i.kind is kind
            ]
        return choices


class ContactSections:
    """What the new and edit forms share: the contact's fields and its health check."""

    occurred_on = DateField(
        _l("Date"),
        default=today,
        validators=[InputRequired(_l("Give the date of the contact.")), not_in_future],
    )
    type = RadioField(
        _l("Type"),
        choices=TYPE_CHOICES,
        default=InteractionType.CALL.value,
        invalid_value_message=CHOOSE_ANSWER,
        invalid_choice_message=CHOOSE_ANSWER,
    )
    people = MultiCheckboxField(
        _l("People met"),
        coerce=int,
        invalid_value_message=_l("Tick only people who work at the company contacted."),
        invalid_choice_message=_l("Tick only people who work at the company contacted."),
    )
    summary = TextAreaField(_l("Summary"), validators=[Length(max=20000)], render_kw={"rows": 4})
    health = FormField(HealthForm, label=_l("Health check"))

    def contact_type(self) -> InteractionType:
        return InteractionType(self.type.data)  # type: ignore[attr-defined]


class InteractionForm(ContactSections, FlaskForm):
    """Log a contact (`/interactions/new`)."""

    company_query = StringField(
        _l("Company"),
        validators=[Length(max=200)],
        description=_l("Type part of its name or its RCS number."),
        render_kw={"autocomplete": "off", "spellcheck": "false", "data-search-shortcut": True},
    )
    company_id = HiddenField()
    # Offered only when the text matches several companies; read by the view, never refused.
    company_pick = SelectField(_l("Which company do you mean?"), validate_choice=False)
    needs = FieldList(FormField(NeedForm), _l("Need"), min_entries=1, max_entries=MAX_NEEDS)
    followup = FormField(FollowUpForm, label=_l("Follow-up"))

    # The order of the error summary: the order of the page.
    FIELD_ORDER = ("occurred_on", "type", "company_query", "company_pick", "people", "summary",
                   "health", "needs", "followup")  # fmt: skip

    def offer(self, choices: ContactChoices) -> None:
        """Give every select, in every row, what it may choose from."""
        for need in self.needs:
            need.form.offer(choices)
        self.followup.form.assignee.choices = [
            SelectChoice(str(u.id), u.name) for u in choices.staff
        ]
        self._choices = choices

    def add_need(self) -> str | None:
        """One more blank need; the id of its first field, or None at the limit."""
        if len(self.needs) >= MAX_NEEDS:
            return None
        entry = self.needs.append_entry()
        self.offer(self._choices)
        return entry.form.category.id

    def add_solution(self, need_index: int) -> str | None:
        """One more blank solution row under need `need_index`; its first field's id."""
        if not 0 <= need_index < len(self.needs):
            return None
        solutions = self.needs[need_index].form.solutions
        if len(solutions) >= MAX_SOLUTIONS:
            return None
        entry = solutions.append_entry()
        self.offer(self._choices)
        return entry.form.instrument.id

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for need in self.needs:
            form: NeedForm = need.form
            if form.is_blank():
                continue
            if form.category.data is None and not form.category.errors:
                form.category.errors.append(
                    _l("Choose what the company needs.")
                    if (form.description.data or "").strip()
                    else _l("Choose the need this solution answers.")
                )
                valid = False
            for solution in form.solutions:
                row: SolutionForm = solution.form
                if row.is_blank() or row.instrument.errors:
                    continue
                if row.instrument.data is None and not (row.partner.data or "").strip():
                    row.instrument.errors.append(_l("Choose an instrument or name a partner."))
                    valid = False
        return valid

    def need_inputs(self) -> list[NeedInput]:
        """The filled need rows as service inputs (call after a successful `validate`)."""
        needs = []
        for need in self.needs:
            form: NeedForm = need.form
            if form.is_blank():
                continue
            needs.append(
                NeedInput(
                    category=self._choices.category(form.category.data),
                    description=form.description.data or "",
                    urgency=Urgency(form.urgency.data),
                    solutions=[
                        SolutionInput(
                            instrument=self._choices.instrument(s.form.instrument.data),
                            partner=(s.form.partner.data or "").strip() or None,
                            amount_requested=s.form.amount_requested.data,
                        )
                        for s in form.solutions
                        if not s.form.is_blank()
                    ],
                )
            )
        return needs

    def followup_input(self) -> FollowUpInput | None:
        form: FollowUpForm = self.followup.form
        if form.is_blank():
            return None
        return FollowUpInput(
            title=form.title.data,
            due_on=form.due_on.data,
            assignee=self._choices.user(form.assignee.data),
        )


class EditInteractionForm(ContactSections, FlaskForm):
    """Change a logged contact and its health check (`/interactions/<id>/edit`)."""

    version = VersionField()

    FIELD_ORDER = ("occurred_on", "type", "people", "summary", "health")


def field_errors(form: Form, context: str = "") -> Iterator[tuple[str, str, str]]:
    """(field id, label, message) of every error in the form, nested rows included, in order."""
    order = getattr(form, "FIELD_ORDER", ())
    fields = [form[name] for name in order] + [f for f in form if f.name not in order]
    for field in fields:
        if isinstance(field, FieldList):
            for number, entry in enumerate(field.entries, start=1):
                yield from field_errors(entry.form, f"{context}{field.label.text} {number} · ")
        elif isinstance(field, FormField):
            yield from field_errors(field.form, f"{context}{field.label.text} · ")
        else:
            for message in field.errors:
                yield field.id, f"{context}{field.label.text}", str(message)


def row_templates(choices: ContactChoices) -> tuple[NeedForm, SolutionForm]:
    """Blank rows with placeholder indexes, which the script clones to add rows without a reload."""
    need = NeedForm(prefix="needs-__need__-")
    need.offer(choices)
    solution = SolutionForm(prefix="needs-__need__-solutions-__solution__-")
    solution.instrument.choices = choices.instrument_choices
    return need, solution
