from django import forms

from centre.models import Centre


class RetentionPeriodForm(forms.Form):
    # The model's field as it is, with its limits and help text.
    retention_years = Centre._meta.get_field("retention_years").formfield()


class RetentionHoldForm(forms.Form):
    reason = forms.CharField(
        label="Why the records must be kept",
        help_text="Such as an appeal, a complaint or an awarding body’s investigation. The learner sees "
        "this reason if they ask for their records.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
