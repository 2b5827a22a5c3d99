"""What moderation's pages accept: the learners of a new sample, a moderator's access,
and the buttons that post nothing but themselves."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from moderation.services import DEFAULT_ACCESS_PERIOD

ACCESS_ENDS_HINT = "Give the date access ends, for example 31/05/2027."


class KeysField(forms.Field):
    """Several keys (``name=1&name=2``): a list of whole numbers, empty when none is sent."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": "Choose from the list."}

    def to_python(self, value) -> list[int]:
        keys = []
        for key in value or []:
            if not (isinstance(key, str) and key.isascii() and key.isdigit()):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            keys.append(int(key))
        return keys


class NewSampleForm(forms.Form):
    """The learners ticked for a moderation sample; which of them may be sampled is the
    service's to say (``create_moderation_sample``)."""

    enrolment = KeysField(required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class GrantAccessForm(forms.Form):
    """A moderator to give access to the sample, and the last day of it (until 23:59)."""

    email = forms.EmailField(
        max_length=254, error_messages={"required": "Give the moderator’s email address."}
    )
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    expires_on = forms.DateField(
        # ISO from a date picker, or day first as typed where a browser has no picker.
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": ACCESS_ENDS_HINT, "invalid": ACCESS_ENDS_HINT},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = (timezone.localdate() + DEFAULT_ACCESS_PERIOD).isoformat()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("expires_on"):
            cleaned["expires_at"] = timezone.make_aware(
                datetime.datetime.combine(cleaned.pop("expires_on"), datetime.time(23, 59))
            )
        return cleaned


class ConfirmForm(forms.Form):
    """A button that posts nothing but itself (revoke an access, ask for the bundle): the
    service it runs is all there is to it."""


class ShowFileForm(forms.Form):
    """How a moderator opens an evidence file: ``inline=1`` shows a photo in the page,
    anything else downloads it."""

    inline = forms.TypedChoiceField(
        choices=[("1", "In the page")], coerce=lambda value: value == "1", required=False, empty_value=False
    )

    def wants_inline(self) -> bool:
        return self.is_valid() and self.cleaned_data["inline"]
