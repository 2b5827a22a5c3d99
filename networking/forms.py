"""Forms for the learner's networking records. The models' validators (plain text only,
dates not in the future, a real telephone number) run in these forms and again in the
services, whoever calls them."""

from django import forms

from learners.validators import normalised_phone_number, validate_plain_text
from networking.models import (
    ContactInteraction,
    NetworkContact,
    NetworkingGuidelines,
    NetworkReview,
    Rating,
    ReviewDecision,
)
from networking.services import CONTACT_FIELDS

DATE_HINT = "For example 14/03/2026."


def _date_widget():
    return forms.DateInput(attrs={"autocomplete": "off"})


class ContactForm(forms.ModelForm):
    class Meta:
        model = NetworkContact
        fields = CONTACT_FIELDS
        widgets = {
            "how_met": forms.Textarea(attrs={"rows": 3}),
            "they_offer": forms.Textarea(attrs={"rows": 3}),
            "you_offer": forms.Textarea(attrs={"rows": 3}),
            "organisation_benefit": forms.Textarea(attrs={"rows": 3}),
            "last_contact": _date_widget(),
        }
        help_texts = {
            "name": "The person’s full name, or the organisation’s name.",
            "they_offer": "What this contact can offer you: knowledge, introductions, opportunities.",
            "you_offer": "What you can offer them in return: networking works both ways.",
            "last_contact": DATE_HINT + " Logging an interaction updates it.",
            "phone": "Optional. A UK number, or an international one starting with +.",
            "email": "Optional.",
        }
        error_messages = {"name": {"required": "Enter the contact’s name."}}

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return normalised_phone_number(phone) if phone else ""


class InteractionForm(forms.ModelForm):
    class Meta:
        model = ContactInteraction
        fields = ["occurred_on", "purpose", "outcome", "follow_up"]
        widgets = {
            "occurred_on": _date_widget(),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "occurred_on": DATE_HINT,
            "purpose": "Why you were in touch, for example “asked for an introduction to their buyer”.",
            "follow_up": "Optional: what you will do next, and by when.",
        }
        error_messages = {"occurred_on": {"required": "Enter the date of the interaction."}}


class ReviewForm(forms.ModelForm):
    class Meta:
        model = NetworkReview
        fields = ["reviewed_on", "reflection", "future_actions"]
        widgets = {
            "reviewed_on": _date_widget(),
            "reflection": forms.Textarea(attrs={"rows": 6}),
            "future_actions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "reviewed_on": DATE_HINT,
            "reflection": "What has worked with your existing contacts, what has not, and why.",
            "future_actions": "What you will do next with your network, in the light of this review.",
        }


class ReviewLineForm(forms.Form):
    """One contact's (or one group's) line of a review. Left blank, it is not part of the
    review; started, it needs all three judgements."""

    value = forms.ChoiceField(label="Value", choices=[("", "Not reviewed"), *Rating.choices], required=False)
    effort = forms.ChoiceField(
        label="Effort", choices=[("", "Not reviewed"), *Rating.choices], required=False
    )
    decision = forms.ChoiceField(
        label="Keep, develop or reduce",
        choices=[("", "Not reviewed"), *ReviewDecision.choices],
        required=False,
    )
    comment = forms.CharField(
        label="Comment", required=False, max_length=2000, validators=[validate_plain_text]
    )

    def __init__(self, *args, subject: str, is_group: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        self.is_group = is_group
        if is_group:
            self.fields["group"] = forms.CharField(
                label="Group", required=False, max_length=200, validators=[validate_plain_text]
            )
            self.order_fields(["group", "value", "effort", "decision", "comment"])

    @property
    def is_started(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("group", "value", "effort", "decision", "comment"))

    def clean(self):
        data = super().clean()
        if not self.is_started:
            return data
        for name in ("value", "effort", "decision"):
            if not data.get(name):
                self.add_error(name, f"Choose the {self.fields[name].label.lower()} for {self.subject}.")
        if self.is_group and not data.get("group", "").strip():
            self.add_error("group", "Name the group you are reviewing.")
        return data


class GuidelinesForm(forms.ModelForm):
    class Meta:
        model = NetworkingGuidelines
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 20})}
        help_texts = {
            "body": "Leave a blank line between paragraphs; start a heading with “## ” and a list "
            "item with “- ”."
        }


class UseAsEvidenceForm(forms.Form):
    creation_token = forms.UUIDField(widget=forms.HiddenInput)
    # Which record (networking.selectors.record_details): "register", "guidelines" or "review"
    # with the review's key. A review key that is no number is no review of the learner's.
    record = forms.CharField(required=False)
    review = forms.IntegerField(required=False, min_value=0)

    @property
    def names_no_review(self) -> bool:
        return "review" in self.errors

    @property
    def details(self) -> dict:
        details = {"record": self.cleaned_data["record"]}
        if self.cleaned_data["review"] is not None:
            details["review"] = self.cleaned_data["review"]
        return details


class CompareReviewsForm(forms.Form):
    """Two of the learner's reviews to compare (``reviews``, already read), earlier first."""

    CHOOSE_TWO = "Choose two of your reviews to compare."

    older = forms.TypedChoiceField(
        coerce=int, error_messages={"required": CHOOSE_TWO, "invalid_choice": CHOOSE_TWO}
    )
    newer = forms.TypedChoiceField(
        coerce=int, error_messages={"required": CHOOSE_TWO, "invalid_choice": CHOOSE_TWO}
    )

    def __init__(self, data, *, reviews):
        super().__init__(data)
        self.reviews = {review.pk: review for review in reviews}
        choices = [(pk, str(review.reviewed_on)) for pk, review in self.reviews.items()]
        self.fields["older"].choices = self.fields["newer"].choices = choices

    @property
    def asked(self) -> bool:
        """Whether the learner asked for a comparison (the reviews page sends both)."""
        return "older" in self.data

    @property
    def problem(self) -> str:
        if not self.asked or self.is_valid():
            return ""
        return next(message for messages in self.errors.values() for message in messages)

    def clean(self):
        cleaned = super().clean()
        older, newer = self.reviews.get(cleaned.get("older")), self.reviews.get(cleaned.get("newer"))
        if older is None or newer is None:
            return cleaned
        if older == newer:
            raise forms.ValidationError("Choose two different reviews.")
        if (older.reviewed_on, older.pk) > (newer.reviewed_on, newer.pk):
            older, newer = newer, older
        cleaned["older"], cleaned["newer"] = older, newer
        return cleaned
