"""Forms of the company and contact-person pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from tracker.common.forms import MultiCheckboxField
from tracker.common.versions import VersionField
from tracker.companies import validation
from tracker.models import CompanyStatus, LawfulBasis


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: the empty choice is None."""
    if value in (None, ""):
        return None
    return int(value)


def _normalised(normalise: Callable[..., str | None], field: Field, *args: Any) -> None:
    """Replace the field's data by its normal form, or show the reason it is wrong."""
    try:
        field.data = normalise(field.data, *args)
    except ValueError as error:
        raise FieldError(str(error)) from None


def country_choices() -> list[SelectChoice]:
    """The countries of validation.COUNTRIES, named in the page's language."""
    names = get_locale().territories
    return [SelectChoice(value=code, label=names.get(code, code)) for code in validation.COUNTRIES]


class CompanyForm(FlaskForm):
    legal_name = StringField(
        _l("Legal name"),
        validators=[DataRequired(_l("A company needs its legal name.")), Length(max=200)],
    )
    trade_name = StringField(_l("Trade name"), validators=[Optional(), Length(max=200)])
    rcs_number = StringField(
        _l("RCS number"), description=_l("Luxembourg trade register, like B123456.")
    )
    vat_number = StringField(_l("VAT number"), description=_l("LU followed by 8 digits."))
    nace_code = StringField(
        _l("NACE code"), description=_l("NACE Rev. 2 activity, like 25.62 or 2562.")
    )
    employees = IntegerField(
        _l("Employees"),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message=_l("Enter a whole number of 0 or more.")),
        ],
    )
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"))
    locality = StringField(_l("Locality"), validators=[Optional(), Length(max=120)])
    country = SelectField(_l("Country"), default="LU")
    website = StringField(_l("Website"), description=_l("Like www.example.lu."))
    clusters = MultiCheckboxField(_l("Clusters"), coerce=int)
    markets = MultiCheckboxField(_l("Markets served"), coerce=int)
    owner = SelectField(_l("Owner"), coerce=optional_int)
    status = SelectField(_l("Status"), choices=CompanyStatus.choices(), default="active")
    version = VersionField()
    submit = SubmitField(_l("Save company"))

    def validate_rcs_number(self, field: Field) -> None:
        _normalised(validation.normalise_rcs, field)

    def validate_vat_number(self, field: Field) -> None:
        _normalised(validation.normalise_vat, field)

    def validate_nace_code(self, field: Field) -> None:
        _normalised(validation.normalise_nace, field)

    def validate_postal_code(self, field: Field) -> None:
        _normalised(validation.normalise_postal_code, field, self.country.data)

    def validate_website(self, field: Field) -> None:
        _normalised(validation.normalise_website, field)


class NewCompanyForm(CompanyForm):
    confirm_different = BooleanField(_l("This is a different company, create it anyway"))
    version = None  # a new company has none yet
    submit = SubmitField(_l("Create company"))


class PersonForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("A contact needs a name.")), Length(max=160)]
    )
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=160)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(
        _l("Phone"),
        description=_l("Luxembourg numbers may leave out +352."),
        validators=[Optional()],
    )
    lawful_basis = SelectField(
        _l("Lawful basis"),
        choices=LawfulBasis.choices(),
        default=LawfulBasis.LEGITIMATE_INTEREST.value,
        description=_l(
            "The GDPR ground for keeping this person's data; "
            "legitimate interest fits most business contacts."
        ),
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])
    version = VersionField()
    submit = SubmitField(_l("Save contact"))

    def validate_email(self, field: Field) -> None:
        _normalised(validation.normalise_email, field)

    def validate_phone(self, field: Field) -> None:
        _normalised(validation.normalise_phone, field)
