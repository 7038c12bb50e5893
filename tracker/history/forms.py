"""The admins' audit search: a GET form, so a search is a link that can be shared or bookmarked."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, IntegerField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from tracker.common.forms import TranslatedMeta
from tracker.history.display import action_label
from tracker.history.queries import AuditFilters
from tracker.history.records import KINDS
from tracker.models import User

TEXT_MAX = 200
# Ids are 32-bit integers in both databases; a larger number cannot name a record.
ID_MAX = 2**31 - 1
YEARS = range(1900, 3000)


class DayField(DateField):
    """A date in ISO form (what a date input sends), with a message that shows the form."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date like 2026-11-27.")) from None


class AuditSearchForm(Form):
    """Filters of the audit search; every one is optional."""

    Meta = TranslatedMeta

    q = SearchField(
        _l("Text in the changed values"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )
    user = SelectField(_l("Who"), validators=[Optional()], validate_choice=False)
    type = SelectField(_l("Record type"), validators=[Optional()], validate_choice=False)
    record = IntegerField(
        _l("Record id"),
        validators=[
            Optional(),
            NumberRange(min=1, max=ID_MAX, message=_l("A record id is a whole number from 1 up.")),
        ],
    )
    action = SelectField(_l("Action"), validators=[Optional()], validate_choice=False)
    date_from = DayField(_l("From"), validators=[Optional()])
    date_to = DayField(_l("To"), validators=[Optional()])

    def __init__(self, formdata: Any, users: list[User], actions: list[str]) -> None:
        super().__init__(formdata)
        self.user.choices = [("", _l("Anyone"))] + [
            (str(user.id), user.name if user.active else f"{user.name} ({_l('deactivated')})")
            for user in users
        ]
        self.type.choices = [("", _l("Any record"))] + [
            (slug, kind.label) for slug, kind in KINDS.items()
        ]
        self.action.choices = [("", _l("Any action"))] + [
            (action, action_label(action)) for action in actions
        ]

    @staticmethod
    def _check_choice(field: SelectField, message: str) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(message)

    def validate_user(self, field: SelectField) -> None:
        self._check_choice(field, _l("Choose a user from the list."))

    def validate_type(self, field: SelectField) -> None:
        self._check_choice(field, _l("Choose a record type from the list."))

    def validate_action(self, field: SelectField) -> None:
        self._check_choice(field, _l("Choose an action from the list."))

    @staticmethod
    def _check_year(field: DateField) -> None:
        if field.data and field.data.year not in YEARS:
            raise ValidationError(_l("Enter a date between 1900 and 2999."))

    def validate_date_from(self, field: DateField) -> None:
        self._check_year(field)

    def validate_date_to(self, field: DateField) -> None:
        self._check_year(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> AuditFilters:
        """The filters the valid form asks for."""
        kind = KINDS.get(self.type.data or "")
        return AuditFilters(
            user_id=int(self.user.data) if self.user.data else None,
            record_type=kind.record_type if kind is not None else "",
            action=self.action.data or "",
            record_id=self.record.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            text=self.q.data or "",
        )
