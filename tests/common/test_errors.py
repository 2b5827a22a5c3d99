import pytest
from django import forms
from django.core.exceptions import ValidationError

from centre.models import Centre
from common.errors import Frozen, Refused, check_model
from common.forms import run_form
from common.scoping import scopes_disabled


class CentreForm(forms.Form):
    number = forms.CharField()
    name = forms.CharField()


def refuse(error):
    def action(data):
        raise error

    return action


def test_a_refusal_lands_on_its_field_and_nothing_is_returned():
    form = CentreForm({"number": "12345", "name": "Riverside"})
    assert not run_form(form, refuse(Refused("That number is taken.", field="number")))
    assert form.errors == {"number": ["That number is taken."]}
    assert isinstance(form.service_error, Refused)
    assert not hasattr(form, "outcome")


def test_a_refusal_for_a_field_the_form_lacks_goes_above_the_form():
    form = CentreForm({"number": "12345", "name": "Riverside"})
    assert not run_form(form, refuse(Frozen("It is locked.", field="colour")))
    assert form.non_field_errors() == ["It is locked."]


def test_a_refusal_of_several_fields_puts_each_problem_on_its_own():
    form = CentreForm({"number": "12345", "name": "Riverside"})
    error = Refused.on_fields(
        {"number": ["Too short."], "name": ["Too long.", "Not a name."], None: ["And more."]}
    )
    assert error.messages == ["Too short.", "Too long.", "Not a name.", "And more."]
    assert not run_form(form, refuse(error))
    assert form.errors == {
        "number": ["Too short."],
        "name": ["Too long.", "Not a name."],
        "__all__": ["And more."],
    }


def test_a_refusal_of_several_fields_can_be_of_a_kind_that_writes_its_own_message():
    class ClosedCentre(Refused):
        def __init__(self, centre_name: str):
            super().__init__(f"{centre_name} is closed.")

    assert str(ClosedCentre("Riverside")) == "Riverside is closed."
    error = ClosedCentre.on_fields({"name": ["Not a name."]})
    assert isinstance(error, ClosedCentre)
    assert error.by_field == {"name": ["Not a name."]} and error.messages == ["Not a name."]


def test_a_refusal_without_words_says_what_its_kind_means():
    assert Frozen().messages == ["This can no longer be changed."]


def test_an_action_that_succeeds_hands_back_what_it_returned():
    form = CentreForm({"number": "12345", "name": "Riverside"})
    assert run_form(form, lambda data: data["name"].upper())
    assert form.outcome == "RIVERSIDE" and form.service_error is None


def test_django_validation_errors_are_not_service_errors_and_are_not_swallowed():
    """A service reports every refusal as a ``ServiceError``; a bare ``ValidationError``
    escaping one is a bug, and must show as one rather than as a form message."""
    form = CentreForm({"number": "12345", "name": "Riverside"})
    with pytest.raises(ValidationError):
        run_form(form, refuse(ValidationError("Not through the family.")))


def test_a_model_limit_is_refused_on_its_field(db):
    with scopes_disabled():  # the number's uniqueness is checked across centres
        with pytest.raises(Refused) as refused:
            check_model(Centre(number="12a45", name=""))
        check_model(Centre(number="12345", name="Riverside"))
    assert refused.value.by_field == {
        "number": ["A centre number is five digits."],
        "name": ["This field cannot be blank."],
    }
