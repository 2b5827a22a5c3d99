from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class PasswordLinkForm(PasswordResetForm):
    """Asking for a link to choose a password. Besides those who have one, a person who was
    invited and has not chosen one yet may ask (their invitation expired or was lost);
    an account without a password that was never invited stays without a link."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if user.has_usable_password() or user.invited_at is not None)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    @property
    def token(self) -> str:
        return self.cleaned_data["code"].replace(" ", "")


class _RawForm(forms.Form):
    """One field read as sent (not stripped, anything accepted), for the checks that come
    before the request's own form: ``value`` is it, or "" when it was not sent."""

    field_name = ""

    def __init__(self, data):
        super().__init__(data)
        self.fields[self.field_name] = forms.CharField(required=False, strip=False)

    @property
    def value(self) -> str:
        return self.cleaned_data[self.field_name] if self.is_valid() else ""


class SignInAttemptForm(_RawForm):
    """The email address a sign-in attempt is counted against, whether or not it is one."""

    field_name = "username"


class PasswordLinkAttemptForm(_RawForm):
    """The email address a request for a password link is counted against."""

    field_name = "email"


class NextForm(_RawForm):
    """Where to go after signing in (``next``), sent with the form or in the address; the
    view checks that it is this site's own."""

    field_name = "next"
