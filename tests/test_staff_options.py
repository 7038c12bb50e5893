"""The staff selects write their options in one pass (tracker/support/forms.py): the same HTML
as WTForms' own select, every name escaped."""

from __future__ import annotations

from types import SimpleNamespace

from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from tracker.support.forms import QuickSelect, options_html
from tracker.templating import staff_options

HOSTILE = '<script>alert("x")</script> & Söhne'
CHOICES = [SelectChoice(1, HOSTILE), SelectChoice(2, "Anne Schmit"), SelectChoice("", "Nobody")]


def test_the_quick_select_writes_what_wtforms_writes():
    class Plain(Form):
        who = SelectField(choices=CHOICES, coerce=str, widget=Select())

    class Quick(Form):
        who = SelectField(choices=CHOICES, coerce=str, widget=QuickSelect())

    for value in ("2", "1", ""):
        assert str(Quick(data={"who": value}).who()) == str(Plain(data={"who": value}).who())
    assert "<script>" not in str(Quick(data={"who": "2"}).who())


def test_staff_options_escape_names_and_mark_the_chosen_one():
    people = [SimpleNamespace(id=7, name=HOSTILE), SimpleNamespace(id=9, name="Anne Schmit")]
    html = str(staff_options(people, 9))
    assert html == (
        '<option value="7">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Söhne</option>'
        '<option selected value="9">Anne Schmit</option>'
    )
    assert str(options_html([], None)) == ""


def test_staff_options_mark_the_user_as_me(app):
    people = [SimpleNamespace(id=7, name="Anne Schmit"), SimpleNamespace(id=9, name="Luc Weber")]
    with app.test_request_context():
        html = str(staff_options(people, 9, me=7))
    assert html == (
        '<option value="7">Anne Schmit (me)</option><option selected value="9">Luc Weber</option>'
    )


def test_options_written_again_mark_only_the_chosen_one_each_time(app):
    """The options of a list are kept once written: the same list with another choice, or
    none, or in another language, comes out right."""
    from flask_babel import force_locale, lazy_gettext

    pairs = [(1, HOSTILE), (2, "Anne Schmit"), ("", lazy_gettext("Nobody"))]
    first = str(options_html(pairs, 1))
    assert first.startswith('<option selected value="1">&lt;script&gt;')
    assert str(options_html(pairs, 2)).count(" selected") == 1
    assert '<option selected value="2">Anne Schmit</option>' in str(options_html(pairs, 2))
    assert " selected" not in str(options_html(pairs, 3)) + str(options_html(pairs, "2"))
    assert str(options_html(pairs, 1)) == first
    with app.test_request_context():
        with force_locale("fr"):
            french = str(options_html(pairs, ""))
        english = str(options_html(pairs, ""))
    assert '<option selected value="">Personne</option>' in french
    assert '<option selected value="">Nobody</option>' in english
